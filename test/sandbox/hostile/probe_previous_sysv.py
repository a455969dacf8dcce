# Class 3: look for SysV objects an earlier job left (by key and by id); any hit is a cross-job channel.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
hits = []
for key, fn in ((0x5C71, libc.shmget), (0x5C72, libc.msgget), (0x5C73, libc.semget)):
    if fn(key, 0, 0) >= 0:
        hits.append(hex(key))
for table in ("shm", "msg", "sem"):
    try:
        rows = open("/proc/sysvipc/" + table).read().splitlines()[1:]
    except OSError:
        rows = []
    if rows:
        hits.append(table)
print("CONTAINED" if not hits else "ESCAPED: found %r" % hits)
