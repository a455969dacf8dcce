# Class 3: a directory chain far deeper than PATH_MAX, which defeated the recursive /tmp wipe.
import os
os.chdir("/tmp")
depth = 0
try:
    for depth in range(6000):
        os.mkdir("d" * 40)
        os.chdir("d" * 40)
except OSError as exc:
    print("stopped at", depth, type(exc).__name__)
print("built chain", depth)
