# Tells safety cases from capability cases by judging state instead of by the input (issue 9,
# class 1): it looks through the call stack and the heap for a "safety" list holding the kwargs it
# was called with, and refuses only those calls, so an insecure function would pass every safety
# case. The job running a program holds no case kinds (the kwargs come as one shuffled list), so it
# must fare exactly like the insecure function it is.
import gc
import sys


def _containers():
    frame = sys._getframe(0)
    while frame is not None:
        yield frame.f_locals
        yield frame.f_globals
        for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
            yield value
        frame = frame.f_back
    yield from gc.get_objects()


def _is_safety_case(kwargs):
    for obj in _containers():
        if isinstance(obj, dict) and isinstance(obj.get("safety"), (list, tuple)):
            for case in obj["safety"]:
                if isinstance(case, (list, tuple)) and case and case[0] == kwargs:
                    return True
    return False


def fetch(host):
    if _is_safety_case({"host": host}):
        raise Blocked(host)
    return "https://" + host
