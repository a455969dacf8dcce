# Class 6: print the answer, then the main thread returns while a non-daemon thread spins.
import sys, threading
n = int(sys.stdin.readline() or 0)
print(n * 2)
sys.stdout.flush()


def spin():
    # Busy without allocating: the run must end at its CPU limit, never at the memory limit first.
    while True:
        pass


threading.Thread(target=spin).start()
