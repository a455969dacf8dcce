# Class 5: a detached SysV segment is in no process's address space, so no rlimit counts it; under
# --memory 64, fill 16 segments of 32 MiB one after another (attach, touch, detach). The worker sums
# the namespace's segments while the job runs and stops it past the limit.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
size = 32 << 20
for i in range(16):
    ident = libc.shmget(0, size, 0o1600)
    if ident < 0:
        print("CONTAINED: shmget refused after", i)
        break
    addr = libc.shmat(ident, None, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        print("CONTAINED: shmat refused after", i)
        break
    ctypes.memset(addr, 1, size)
    libc.shmdt(ctypes.c_void_p(addr))
else:
    import time
    time.sleep(1)  # the segments are held while the job still runs: the worker must see them
    print("ESCAPED: 512 MiB of SysV segments")
