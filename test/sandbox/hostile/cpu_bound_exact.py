# Class 10: about 0.4 s of pure CPU work; under a 2 s limit the verdict must not depend on load.
import sys
n = int(sys.stdin.readline() or 0)
acc = 0
for i in range(4_000_000):
    acc = (acc * 31 + i) % 1000003
print(n * 2 if acc >= 0 else -1)
