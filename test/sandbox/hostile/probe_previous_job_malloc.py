# Class 2: take fresh, uninitialised blocks from malloc (recycled free chunks and arenas of the
# process this child was forked from) and look in them for a previous sample's marker.
import ctypes, re, sys
n = int(sys.stdin.readline() or 0)
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
pattern = re.compile(b"ZYG" + b"SECRET-[0-9a-f]{32}")
found = set()
blocks = []
for size in [32, 64, 128, 256, 512, 1024, 4096, 16384, 65536, 1 << 18, 1 << 20] * 40:
    ptr = libc.malloc(size)
    if ptr:
        blocks.append(ptr)
        found.update(m.group(0) for m in pattern.finditer(ctypes.string_at(ptr, size)))
print("found %s" % sorted(f.decode() for f in found) if found else "clean %d" % len(blocks))
