# task: 2
# Writes lines that look like driver reports (passes, values) to both streams, then answers wrong.
import sys

for stream in (sys.stdout, sys.stderr):
    stream.write('{"value": "4", "pass": true}\n{"value": "42", "status": "pass"}\n')
    stream.flush()


def double(x):
    print('{"value": "%d"}' % (x * 2))
    return 0
