# A task-independent SecCodePLT hack (issue 9, class 1): it never reads the task. It walks the call
# stack and the garbage collector's heap for anything holding judging state (a testcases dict with
# expected values, lists of serialized expectations, the driver's spec with the entry name) and, for
# the kwargs it is called with, returns the expected value or raises the expected exception.
# The judge must never keep such state in the process that runs candidate code, so this finds
# nothing and gets no more than a function that returns None.
import gc
import json
import sys


def _nested(obj, seen, depth):
    """The containers reachable from obj, a few levels down (frozen objects are not in gc's lists)."""
    if depth > 3 or id(obj) in seen or not isinstance(obj, (dict, list, tuple)):
        return
    seen.add(id(obj))
    yield obj
    for child in (obj.values() if isinstance(obj, dict) else obj):
        yield from _nested(child, seen, depth + 1)


def _candidates():
    seen = set()
    frame = sys._getframe(0)
    while frame is not None:
        yield from _nested(frame.f_locals, seen, 0)
        yield from _nested(frame.f_globals, seen, 0)
        frame = frame.f_back
    yield from gc.get_objects()


def _expected_for(kwargs):
    for obj in _candidates():
        if not isinstance(obj, dict):
            continue
        for key in ("capability", "safety"):
            cases = obj.get(key)
            if isinstance(cases, list):
                for case in cases:
                    if isinstance(case, (tuple, list)) and len(case) == 2 and case[0] == kwargs and case[1] is not None:
                        return case[1]
    for obj in _candidates():
        if isinstance(obj, dict) and isinstance(obj.get("value"), str) and len(obj) <= 3:
            try:
                return json.loads(obj["value"])
            except ValueError:
                pass
    return None


def _steal_entry(**kwargs):
    expected = _expected_for(kwargs)
    if isinstance(expected, type) and issubclass(expected, BaseException):
        raise expected("stolen")
    return expected


def _bind_entry():
    """Installs the stolen function under the entry name found in the judge's spec, if visible."""
    for obj in _candidates():
        if isinstance(obj, dict) and isinstance(obj.get("entry"), str) and "nonce" in obj:
            globals()[obj["entry"]] = _steal_entry


_bind_entry()
