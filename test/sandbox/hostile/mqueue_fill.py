# Class 3: create POSIX queues until the namespace refuses.
import ctypes, os
try:
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
except OSError:
    rt = ctypes.CDLL(None, use_errno=True)
made = sum(1 for i in range(512) if rt.mq_open(b"/q%d" % i, os.O_CREAT | os.O_RDWR, 0o600, None) >= 0)
print("made", made, "queues")
