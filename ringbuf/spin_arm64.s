#include "textflag.h"

// func pause(n int): nothing if n <= 0
TEXT ·pause(SB), NOSPLIT, $0-8
	MOVD n+0(FP), R0
	CMP  $0, R0
	BLE  done
again:
	YIELD
	SUBS $1, R0, R0
	BNE  again
done:
	RET

// func storeRelease(addr *atomic.Uint64, v uint64)
TEXT ·storeRelease(SB), NOSPLIT, $0-16
	MOVD addr+0(FP), R0
	MOVD v+8(FP), R1
	STLR R1, (R0)
	RET

// func prefetch(addr *byte)
TEXT ·prefetch(SB), NOSPLIT, $0-8
	MOVD addr+0(FP), R0
	PRFM (R0), PLDL1KEEP
	RET

// func prefetchWrite(addr *byte)
TEXT ·prefetchWrite(SB), NOSPLIT, $0-8
	MOVD addr+0(FP), R0
	PRFM (R0), PSTL1KEEP
	RET

// func loadFence(): DMB ISHLD
TEXT ·loadFence(SB), NOSPLIT, $0-0
	DMB $0x9
	RET
