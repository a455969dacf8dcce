# The honest canary: solves "print 2n" only when the job starts clean (no files, IPC objects, foreign fds,
# live processes or environment left by an earlier job); otherwise it prints what it found.
import os, sys
n = int(sys.stdin.readline())
dirty = []
if [p for p in os.listdir("/tmp") if p != "job"] or os.listdir("/dev/shm") or os.listdir("."):
    dirty.append("files")
if os.path.isdir("/dev/mqueue") and os.listdir("/dev/mqueue"):
    dirty.append("mqueue")
for t in ("shm", "msg", "sem"):
    if open("/proc/sysvipc/" + t).read().splitlines()[1:]:
        dirty.append(t)
for fd in os.listdir("/proc/self/fd"):
    try:
        if int(fd) > 2 and not os.readlink("/proc/self/fd/" + fd).startswith(("pipe:", "/proc")):
            dirty.append("fd" + fd)
    except OSError:
        pass
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) not in (1, os.getpid()):
        try:
            st = open("/proc/%s/stat" % pid, "rb").read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if st[0] not in (b"Z", b"X") and not int(st[6]) & 4:
            dirty.append("pid" + pid)
if "SCRL_LEAK" in os.environ:
    dirty.append("env")
print(n * 2 if not dirty else "dirty %s" % dirty)
