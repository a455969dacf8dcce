# Class 3: join a named session keyring, read what an earlier job put there, then leave a key in it.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
ring = libc.syscall(250, 1, b"scrl-shared", 0, 0, 0)  # KEYCTL_JOIN_SESSION_KEYRING
found = ring >= 0 and libc.syscall(250, 10, ring, b"user", b"scrl-named", 0) >= 0
if ring >= 0:
    libc.syscall(248, b"user", b"scrl-named", b"job secret", 10, ring)
print("ESCAPED: named keyring kept a key" if found else "CONTAINED")
