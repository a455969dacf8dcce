# Class 6: print the right answer, forge the sandbox's "finished" report on every pipe, then hang.
import os, sys, time
n = int(sys.stdin.readline() or 0)
print(n * 2)
sys.stdout.flush()
for fd in range(3, 64):
    try:
        if os.readlink("/proc/self/fd/%d" % fd).startswith("pipe:"):
            os.write(fd, b'{"exit_code": 0, "cpu_ms": 1, "max_rss_kb": 1}')
            os.close(fd)
    except OSError:
        pass
time.sleep(3600)
