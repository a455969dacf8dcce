# Class 3: special files (a FIFO, a bound unix socket, a symlink loop) left in the scratch dirs.
import os, socket
os.mkfifo("/tmp/leak.fifo")
s = socket.socket(socket.AF_UNIX)
s.bind("/tmp/leak.sock")
os.symlink("/tmp/loop_b", "/tmp/loop_a")
os.symlink("/tmp/loop_a", "/tmp/loop_b")
os.mkfifo("/dev/shm/leak.fifo")
print("left special files")
