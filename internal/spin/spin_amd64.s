#include "textflag.h"

// func Pause(n int): nothing if n <= 0
TEXT ·Pause(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), AX
	TESTQ AX, AX
	JLE  done
again:
	PAUSE
	DECQ AX
	JNZ  again
done:
	RET

// func Prefetch(addr *byte)
TEXT ·Prefetch(SB), NOSPLIT, $0-8
	MOVQ addr+0(FP), AX
	PREFETCHT0 (AX)
	RET

// func PrefetchWrite(addr *byte)
TEXT ·PrefetchWrite(SB), NOSPLIT, $0-8
	MOVQ addr+0(FP), AX
	BYTE $0x0F; BYTE $0x0D; BYTE $0x08 // PREFETCHW (AX), which the Go assembler lacks
	RET

// func LoadFence(): nothing; amd64 keeps loads in order
TEXT ·LoadFence(SB), NOSPLIT, $0-0
	RET
