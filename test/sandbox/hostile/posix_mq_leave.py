# Class 3: leave a POSIX message queue (lives in the IPC namespace, not in /tmp).
import ctypes, os
try:
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
except OSError:
    rt = ctypes.CDLL(None, use_errno=True)
mqd = rt.mq_open(b"/scrl-leak", os.O_CREAT | os.O_RDWR, 0o666, None)
if mqd < 0:
    print("CONTAINED: mq_open refused", ctypes.get_errno())
else:
    rt.mq_send(mqd, b"job secret", 10, 0)
    print("left mqueue")
