# Class 5: RLIMIT_FSIZE caps each memfd, but 60 memfds of 16 MiB each are ~1 GiB that no rlimit
# counts once unmapped. memfd_create is denied to jobs (seccomp: ENOSYS).
import os
held = []
try:
    for i in range(60):
        fd = os.memfd_create("m%d" % i)
        os.write(fd, b"x" * (16 << 20) if i == 0 else b"x")
        held.append(fd)
    print("ESCAPED: %d memfds" % len(held))
except OSError as exc:
    print("CONTAINED", exc.errno, len(held))
