# Class 2: walk every object the interpreter holds (the garbage collector's, frozen ones included,
# and every module's globals) for a previous sample's marker: a child forked from a worker that kept
# the last job's dict, code or output alive would find it here.
import gc, re, sys
n = int(sys.stdin.readline() or 0)
pattern = re.compile("ZYG" + "SECRET-[0-9a-f]{32}")
found = set()
seen = 0


def scan(obj):
    global seen
    seen += 1
    if isinstance(obj, str):
        found.update(pattern.findall(obj))
    elif isinstance(obj, (bytes, bytearray)):
        found.update(m.decode() for m in re.findall(pattern.pattern.encode(), bytes(obj)))


gc.unfreeze()
for obj in gc.get_objects():
    scan(obj)
    for ref in gc.get_referents(obj):
        if isinstance(ref, (str, bytes, bytearray)):
            scan(ref)
for mod in list(sys.modules.values()):
    for value in list(getattr(mod, "__dict__", {}).values()):
        scan(value)
print("found %s" % sorted(found) if found else "clean %d" % seen)
