# Class 3/5: create SysV segments until refused; they must be gone for the next job.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
made = 0
for i in range(4096):
    if libc.shmget(0, 1 << 20, 0o1600) < 0:
        break
    made += 1
print("made", made, "segments")
