# Class 9: leave ~100k files so tearing the worker's tmpfs down takes a while.
import os
os.mkdir("/tmp/many")
for i in range(100000):
    open("/tmp/many/%d" % i, "w").close()
print("done")
