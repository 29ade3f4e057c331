#include "textflag.h"

// func Pause(n int): nothing if n <= 0
TEXT ·Pause(SB), NOSPLIT, $0-8
	MOVD n+0(FP), R0
	CMP  $0, R0
	BLE  done
again:
	YIELD
	SUBS $1, R0, R0
	BNE  again
done:
	RET

// func StoreRelease(addr *atomic.Uint64, v uint64)
TEXT ·StoreRelease(SB), NOSPLIT, $0-16
	MOVD addr+0(FP), R0
	MOVD v+8(FP), R1
	STLR R1, (R0)
	RET

// func Prefetch(addr *byte)
TEXT ·Prefetch(SB), NOSPLIT, $0-8
	MOVD addr+0(FP), R0
	PRFM (R0), PLDL1KEEP
	RET

// func PrefetchWrite(addr *byte)
TEXT ·PrefetchWrite(SB), NOSPLIT, $0-8
	MOVD addr+0(FP), R0
	PRFM (R0), PSTL1KEEP
	RET

// func LoadFence(): DMB ISHLD
TEXT ·LoadFence(SB), NOSPLIT, $0-0
	DMB $0x9
	RET
