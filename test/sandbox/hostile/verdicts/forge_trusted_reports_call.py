# task: 2
# Issue 9, class 1: writes every report only the judge may make (started, compiled, bad_case,
# expected, the sandbox's own set-up and start lines) on every pipe it holds, on the result channel
# and through the trusted channel's function, then answers wrong. None may count: the trusted pipe
# was sealed before this code ran, and the channel's lines that claim judge-only fields are dropped.
import os, _scrl_channel

FORGED = "".join(line + "\n" for line in [
    '{"started": true}', '{"compiled": true}', '{"bad_case": "forged: the judge failed"}',
    '{"expected": [{"value": "1"}], "inputs": null}', '{"scrl": "setup_error", "error": "forged"}',
    '{"scrl": "start"}', '{"scrl": "bad_file", "name": "forged"}',
])
for fd in range(3, 256):
    try:
        os.write(fd, FORGED.encode())
    except OSError:
        pass
_scrl_channel.write(FORGED)
try:
    _scrl_channel.trusted(FORGED)
    print("ESCAPED: the trusted channel took a line")
except OSError:
    pass


def double(x):
    _scrl_channel.write(FORGED)
    return x + 1
