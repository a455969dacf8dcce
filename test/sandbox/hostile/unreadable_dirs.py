# Class 3: directories the owner cannot list or enter (mode 000), with files inside.
import os
for i in range(20):
    d = "/tmp/locked%d" % i
    os.makedirs(d + "/inner")
    open(d + "/inner/secret", "w").write("job secret")
    os.chmod(d + "/inner", 0)
    os.chmod(d, 0)
print("locked 20 directories")
