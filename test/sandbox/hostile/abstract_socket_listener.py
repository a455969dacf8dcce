# Class 3: connect to an abstract unix socket an earlier job may have left listening, then listen on it.
import os, socket
c = socket.socket(socket.AF_UNIX)
try:
    c.connect("\0scrl-leak")
    print("ESCAPED: an earlier job's listener answered")
except OSError:
    print("CONTAINED")
s = socket.socket(socket.AF_UNIX)
s.bind("\0scrl-leak")
s.listen(1)
if os.fork() == 0:
    os.setsid()
    import time
    time.sleep(3600)
