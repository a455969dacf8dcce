# Class 3: one directory with tens of thousands of entries, files and subdirectories mixed.
import os
os.mkdir("/tmp/wide")
for i in range(20000):
    if i % 4 == 0:
        os.mkdir("/tmp/wide/d%d" % i)
    else:
        open("/tmp/wide/f%d" % i, "w").close()
print("made 20000 entries")
