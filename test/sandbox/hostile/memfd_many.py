# Class 5: memfds are file-backed, so RLIMIT_FSIZE caps each one; try to grow one past the cap.
import os
fd = os.memfd_create("big")
try:
    os.ftruncate(fd, 1 << 30)
    print("ESCAPED: 1 GiB memfd")
except OSError:
    print("CONTAINED")
