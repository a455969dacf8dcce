# Class 3: leave a SysV semaphore set (a covert channel between jobs if it survived).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
sid = libc.semget(0x5C73, 4, 0o1666)
print("CONTAINED: semget refused" if sid < 0 else "left semaphores %d" % sid)
