"""Atomic instructions on shared words, for CPython with only the standard library.

ctypes has no atomics, and a Go peer's compare-and-swap must meet ours on
the same word. So this module writes a handful of machine instructions
(lock cmpxchg, lock xadd, xchg, lock or/and, mfence) into an executable
page, the way a JIT does, and calls them through ctypes. Each function
takes a raw address: callers bounds-check it against their mapping first
(see Mapping.addr), because an address out of range would crash the
interpreter instead of raising.

Plain loads and stores of aligned words need no help: memoryview.cast('Q')
indexing copies the word with one fixed-size memcpy, which compilers emit
as one load or store, and on amd64 every load is an acquire and every
store a release. What x86 does reorder, a store followed by a load, is
what the fence and xchg here are for.
"""

from __future__ import annotations

import ctypes
import mmap
import platform

from .errors import UnsupportedError

_MACHINE = platform.machine()

# System V AMD64 ABI: arguments in rdi, rsi, rdx; the result in rax.
_AMD64 = {
    # cas64(addr, old, new) -> the word's previous value
    "cas64": bytes.fromhex("4889f0" "f0480fb117" "c3"),  # mov rax,rsi; lock cmpxchg [rdi],rdx
    "cas32": bytes.fromhex("89f0" "f00fb117" "c3"),  # mov eax,esi; lock cmpxchg [rdi],edx
    # add64(addr, delta) -> the previous value
    "add64": bytes.fromhex("4889f0" "f0480fc107" "c3"),  # mov rax,rsi; lock xadd [rdi],rax
    "add32": bytes.fromhex("89f0" "f00fc107" "c3"),  # mov eax,esi; lock xadd [rdi],eax
    # swap64(addr, v) -> the previous value; a sequentially consistent store
    "swap64": bytes.fromhex("4889f0" "488707" "c3"),  # mov rax,rsi; xchg [rdi],rax
    "swap32": bytes.fromhex("89f0" "8707" "c3"),  # mov eax,esi; xchg [rdi],eax
    "or64": bytes.fromhex("f0480937" "c3"),  # lock or [rdi],rsi
    "and64": bytes.fromhex("f0482137" "c3"),  # lock and [rdi],rsi
    "fence": bytes.fromhex("0faef0" "c3"),  # mfence
}

_U64 = ctypes.c_uint64
_U32 = ctypes.c_uint32
_PTR = ctypes.c_void_p
_SIGNATURES = {
    "cas64": (_U64, _PTR, _U64, _U64),
    "cas32": (_U32, _PTR, _U32, _U32),
    "add64": (_U64, _PTR, _U64),
    "add32": (_U32, _PTR, _U32),
    "swap64": (_U64, _PTR, _U64),
    "swap32": (_U32, _PTR, _U32),
    "or64": (None, _PTR, _U64),
    "and64": (None, _PTR, _U64),
    "fence": (None,),
}


def _build():
    if _MACHINE not in ("x86_64", "AMD64", "amd64"):
        return None
    code = b"".join(_AMD64.values())
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    page.write(code)
    base = ctypes.addressof(ctypes.c_char.from_buffer(page))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    # Executable, and no longer writable: W^X, as hardened kernels want.
    if libc.mprotect(base, mmap.PAGESIZE, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise UnsupportedError(
            "shmkit: cannot make a page executable for its atomic instructions "
            f"(mprotect: errno {ctypes.get_errno()})"
        )
    funcs = {}
    off = 0
    for name, body in _AMD64.items():
        funcs[name] = ctypes.CFUNCTYPE(*_SIGNATURES[name])(base + off)
        off += len(body)
    funcs["_page"] = page  # keeps the code mapped
    return funcs


_F = _build()


def _missing(*_args):
    raise UnsupportedError(
        f"shmkit's Python package runs on amd64 (x86_64) only for now, not {_MACHINE}: "
        "its atomic instructions are written for that machine"
    )


if _F is None:
    cas64 = cas32 = add64 = add32 = swap64 = swap32 = or64 = and64 = fence = _missing
else:
    cas64 = _F["cas64"]
    cas32 = _F["cas32"]
    add64 = _F["add64"]
    add32 = _F["add32"]
    swap64 = _F["swap64"]
    swap32 = _F["swap32"]
    or64 = _F["or64"]
    and64 = _F["and64"]
    fence = _F["fence"]

SUPPORTED = _F is not None
