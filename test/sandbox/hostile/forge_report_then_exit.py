# Class 6: forge a clean report claiming exit 0, then die by a signal; the wait status decides.
import os, signal, sys
n = int(sys.stdin.readline() or 0)
print(n * 2)
sys.stdout.flush()
for fd in range(3, 64):
    try:
        if os.readlink("/proc/self/fd/%d" % fd).startswith("pipe:"):
            os.write(fd, b'{"exit_code": 0}')
    except OSError:
        pass
os.kill(os.getpid(), signal.SIGSEGV)
