# task: 2
# Issue 9, class 1/8: claims the judge could not evaluate the test case ("bad_case", which the
# judge reports as its own failure, sandbox_error) on the result channel, then leaves before the
# driver reports. A judge-only field from the candidate's process is dropped: no report, the
# candidate's runtime error.
import os, _scrl_channel


def double(x):
    _scrl_channel.write('{"bad_case": "forged: expected value cannot be computed"}\n')
    _scrl_channel.write('{"compiled": false, "error": "forged"}\n')
    os._exit(0)
