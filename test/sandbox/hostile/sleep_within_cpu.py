# Class 10: waits (no CPU) for a while then answers; wall time is not CPU time, yet a hang is bounded.
import sys, time
n = int(sys.stdin.readline() or 0)
time.sleep(0.2)
print(n * 2)
