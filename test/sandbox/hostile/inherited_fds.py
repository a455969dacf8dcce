# Class 4: look for descriptors other than 0, 1, 2 and our own pipes; read any file through them.
import os
secret = os.environ.get("SCRL_FD_SECRET", "host-fd-secret")
found = []
for fd in range(3, 1024):
    try:
        target = os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        continue
    if target.startswith("pipe:") or target.startswith("anon_inode:"):
        continue
    found.append((fd, target))
    try:
        os.lseek(fd, 0, 0)
        if secret.encode() in os.read(fd, 1 << 16):
            print("ESCAPED: read host file through fd", fd)
    except OSError:
        pass
print("CONTAINED" if not found else "ESCAPED: inherited %r" % found)
