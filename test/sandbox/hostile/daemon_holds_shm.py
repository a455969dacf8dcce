# Class 3: a detached grandchild keeps a SysV segment attached past the job's end.
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shmid = libc.shmget(0x5C74, 1 << 20, 0o1666)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        libc.shmat(shmid, None, 0)
        time.sleep(3600)
    os._exit(0)
print("daemon holds segment", shmid)
