# Class 3: the same deep chain in /dev/shm, the other scratch directory.
import os
os.chdir("/dev/shm")
for depth in range(3000):
    os.mkdir("x" * 60)
    os.chdir("x" * 60)
open("leftover", "w").write("job secret")
print("built chain in /dev/shm")
