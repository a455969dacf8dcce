# Class 4: the program starts with 0, 1, 2 and the sandbox's own report pipes, nothing else.
import os
fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))
others = [fd for fd in fds if fd > 2 and not os.readlink("/proc/self/fd/%d" % fd).startswith("pipe:")]
# The listing itself holds one directory fd while it runs; it is closed by now.
print("CONTAINED" if not others else "ESCAPED: extra fds %r" % others)
