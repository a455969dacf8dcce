# Class 3: remove the job directory itself and replace /tmp contents with a file named like it.
import os, shutil
os.chdir("/")
shutil.rmtree("/tmp/job", ignore_errors=True)
open("/tmp/job", "w").write("not a directory")
print("replaced the job directory with a file")
