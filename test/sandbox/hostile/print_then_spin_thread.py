# Class 6: print the answer, then the main thread returns while a non-daemon thread spins.
import sys, threading
n = int(sys.stdin.readline() or 0)
print(n * 2)
sys.stdout.flush()
threading.Thread(target=lambda: [None for _ in iter(int, 1)]).start()
