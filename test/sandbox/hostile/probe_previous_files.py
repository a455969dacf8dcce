# Class 3: the scratch directories hold nothing but this job's empty working directory.
import os
left = [p for p in os.listdir("/tmp") if p != "job"] + os.listdir("/dev/shm") + os.listdir(".")
if os.path.isdir("/dev/mqueue"):
    left += os.listdir("/dev/mqueue")
print("CONTAINED" if not left else "ESCAPED: found %r" % left[:5])
