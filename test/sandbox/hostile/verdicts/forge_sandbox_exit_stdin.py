# task: 1
# Issue 9, class 6/8: writes the sandbox's own lines ("set-up failed", "compile error") on every pipe
# it holds, prints a wrong answer and exits with the child's set-up failure code. How a job ended
# comes from the wait status and the trusted pipe alone: a wrong answer, never a sandbox error.
import os, sys

LINES = b'{"scrl": "setup_error", "error": "forged"}\n{"scrl": "compile_error", "type": "SyntaxError"}\n{"exception": "MemoryError", "memory": true}'
for fd in range(3, 256):
    try:
        os.write(fd, LINES)
    except OSError:
        pass
print(0)
sys.stdout.flush()
os._exit(120 if len(sys.argv) else 121)
