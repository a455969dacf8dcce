# Class 3: leave a SysV message queue with a message in it.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
qid = libc.msgget(0x5C72, 0o1666)
if qid < 0:
    print("CONTAINED: msgget refused")
else:
    buf = ctypes.create_string_buffer(b"\x01\x00\x00\x00\x00\x00\x00\x00job secret", 32)
    libc.msgsnd(qid, buf, 10, 0)
    print("left queue", qid)
