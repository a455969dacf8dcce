# Class 2/3: change the environment and umask; a later job must not see either.
import os
leaked = "SCRL_LEAK" in os.environ or os.umask(0o022) != 0o022
os.environ["SCRL_LEAK"] = "job secret"
os.putenv("SCRL_LEAK", "job secret")
os.umask(0)
print("ESCAPED: earlier job's env/umask" if leaked else "CONTAINED")
