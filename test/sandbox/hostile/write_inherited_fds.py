# Class 4: write into every non-pipe descriptor we may have inherited (a host file would grow).
import os
wrote = []
for fd in range(3, 1024):
    try:
        target = os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        continue
    if target.startswith("pipe:"):
        continue
    try:
        os.write(fd, b"ESCAPED write from the sandbox\n")
        wrote.append(target)
    except OSError:
        pass
print("CONTAINED" if not wrote else "ESCAPED: wrote to %r" % wrote)
