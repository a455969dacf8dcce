# Class 4: park copies of our pipes on high fds in a detached child; they die with the job.
import os, time
for fd in (0, 1, 2):
    os.dup2(fd, 900 + fd, inheritable=True)
if os.fork() == 0:
    os.setsid()
    time.sleep(3600)
print("parked fds")
