# Class 3: search every keyring we can reach for the key an earlier job stored.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
KEYCTL_SEARCH = 10
hits = [ring for ring in (-4, -5, -3) if libc.syscall(250, KEYCTL_SEARCH, ring, b"user", b"scrl-leak", 0) >= 0]
print("CONTAINED" if not hits else "ESCAPED: key found in %r" % hits)
