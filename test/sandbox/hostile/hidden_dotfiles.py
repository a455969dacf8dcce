# Class 3: dot-files and names with newlines or invalid UTF-8, which naive wipes skip.
import os
for name in (b".hidden", b"..dots", b"new\nline", b"\xff\xfebad", b" "):
    open(b"/tmp/" + name, "wb").write(b"job secret")
    open(b"/dev/shm/" + name, "wb").write(b"job secret")
print("left odd names")
