# task: 2
# Issue 9, class 1: finds the trusted channel's write function in the heap, reads the descriptor
# number bound in it, and writes a forged report straight to that number (and to whatever file it
# can get that number for). The pipe was closed in this process before the program ran: EBADF, or a
# file of its own.
import gc, os

fds = set()
for obj in gc.get_objects():
    if callable(obj) and getattr(obj, "__name__", "") in ("channel_trusted", "seal", "finish"):
        for value in (getattr(obj, "__defaults__", None) or ()):
            if isinstance(value, int) and 2 < value < 1024:
                fds.add(value)
for fd in sorted(fds):
    try:
        os.write(fd, b'{"compiled": true}\n{"bad_case": "forged"}\n')
        print("ESCAPED: wrote to fd", fd)
    except OSError:
        pass
opened = [os.open("/dev/null", os.O_WRONLY) for _ in range(8)]


def double(x):
    return -x
