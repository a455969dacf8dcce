# Class 2: read every writable region of this process through /proc/self/mem (heap, anonymous
# mappings, freed chunks) for a previous sample's marker: its code, stdin, stdout, files or result.
# A child forked from a process that once held those would find them here.
import re, sys
n = int(sys.stdin.readline() or 0)
pattern = re.compile(b"ZYG" + b"SECRET-[0-9a-f]{32}")
found = set()
with open("/proc/self/maps") as maps:
    regions = [line.split() for line in maps]
with open("/proc/self/mem", "rb", buffering=0) as mem:
    for fields in regions:
        start, end = (int(x, 16) for x in fields[0].split("-"))
        if "r" not in fields[1] or "w" not in fields[1]:
            continue  # read-only mappings are files of /usr: no job ever wrote them
        pos = start
        while pos < end:
            size = min(1 << 20, end - pos)
            try:
                mem.seek(pos)
                chunk = mem.read(size + 64) if pos + size < end else mem.read(size)
            except OSError:
                break
            found.update(m.group(0) for m in pattern.finditer(chunk))
            pos += size
print("found %s" % sorted(f.decode() for f in found) if found else "clean %d" % len(regions))
