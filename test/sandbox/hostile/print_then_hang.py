# Class 6: print the right answer, close stdout, then sleep forever: a hang is a timeout.
import os, sys, time
n = int(sys.stdin.readline() or 0)
print(n * 2)
sys.stdout.flush()
os.close(1)
time.sleep(3600)
