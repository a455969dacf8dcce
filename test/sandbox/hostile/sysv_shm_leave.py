# Class 3: leave a SysV shared-memory segment behind for the next job to find (the canary checks).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shmid = libc.shmget(0x5C71, 1 << 20, 0o1666)  # IPC_CREAT | 0666
if shmid < 0:
    print("CONTAINED: shmget refused")
else:
    addr = libc.shmat(shmid, None, 0)
    if addr not in (None, ctypes.c_void_p(-1).value):
        ctypes.memmove(addr, b"job secret in sysv shm", 22)
    print("left segment", shmid)
