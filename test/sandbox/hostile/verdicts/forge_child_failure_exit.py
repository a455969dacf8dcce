# task: 1
# Issue 9, class 8: exits with the code the sandbox child uses when it fails before running a
# program (121), saying nothing. The sandbox knows the program started (its trusted "start" line):
# a wrong answer, not a judge failure.
import os
os._exit(121)
