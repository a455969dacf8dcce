# Class 3: store a key in the user and session keyrings, where a later job could look it up.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
ADD_KEY = 248
for ring in (-4, -5, -3):  # @u, @us, @s
    r = libc.syscall(ADD_KEY, b"user", b"scrl-leak", b"job secret", 10, ring)
    print("add_key", ring, "->", r if r >= 0 else "refused")
