# Class 3: open the POSIX queue an earlier job created, and list /dev/mqueue.
import ctypes, os
try:
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
except OSError:
    rt = ctypes.CDLL(None, use_errno=True)
found = rt.mq_open(b"/scrl-leak", os.O_RDONLY, 0, None) >= 0
listed = os.listdir("/dev/mqueue") if os.path.isdir("/dev/mqueue") else []
print("CONTAINED" if not found and not listed else "ESCAPED: queue survived %r" % listed)
