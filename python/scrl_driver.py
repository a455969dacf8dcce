# SecureCodeRL judge driver: runs inside the sandbox as the job's __main__. The judge joins this core
# with python/scrl_driver_seccodeplt.py, python/scrl_driver_safesql.py and
# python/scrl_driver_safesql_child.py (in that order) and a final
# main() call into one program (src/judge/driver-source.ts).
# It reads its spec and the program from the job's private cwd, deletes those files before any
# program code runs (so a program cannot read tests or expected values from disk), and keeps
# references to the builtins it needs (so a program cannot monkeypatch them).
# Reports are JSON lines on two pipes (docs/sandbox.md, "Who holds what"): what only the judge may
# say (started, compiled, a compile error, expected values) goes on the trusted pipe, which is
# sealed (closed in this process for good) before any candidate code runs; what is reported after
# that (a return value, a raised exception, a missing entry point) goes on the result channel, where
# the candidate could have written the same itself. No nonce: nothing a candidate can read would
# let it write a trusted line.
import builtins as _builtins
import gc as _gc
import io as _io
import json as _json
import math as _math
import os as _os
import sys as _sys
import _scrl_channel

# numpy is imported only for jobs that name it (src/sandbox/preload.ts), so the driver never
# imports it: a value can be a numpy scalar or array only when the program's process holds numpy,
# and _numpy_kinds looks it up there when such a value comes.
_modules = _sys.modules

_type = type
_int = int
_bool, _float, _str, _list, _tuple, _dict = bool, float, str, list, tuple, dict
_set, _frozenset, _bytes, _bytearray = set, frozenset, bytes, bytearray
_NUMPY_SEEN = [None, None, _frozenset(), None]  # module, its generic.item, scalar types, ndarray
_issubclass = issubclass
_isinstance = isinstance
_len = len
_sorted = sorted
_write_channel = _scrl_channel.write
_write_trusted = _scrl_channel.trusted
_seal = _scrl_channel.seal
_enc_str = _json.encoder.encode_basestring_ascii
_dumps = _json.dumps
_float_repr = float.__repr__
_int_repr = int.__repr__
_str_str = str.__str__
_list_iter = list.__iter__
_tuple_iter = tuple.__iter__
_dict_items = dict.items
_isfinite = _math.isfinite
_BaseException = BaseException
_Exception = Exception
_MemoryError = MemoryError
_SystemExit = SystemExit
_stdout = _sys.stdout
_range = range
_os_fork = _os.fork
_os_kill = _os.kill
_os_wait4 = _os.wait4
_gc_freeze = _gc.freeze


_SAFE_INT = 2 ** 53 - 1


class _Unserializable(_Exception):
    pass


def _numpy_kinds():
    """(generic.item, scalar types, ndarray) of the numpy this process has imported, or empty ones.
    Looked up when a value of another type comes, in the process that ran the program: what it finds
    there says only what the program could say itself (its report is untrusted either way)."""
    try:
        np = _dict.get(_modules, "numpy")
        if np is None:
            return None, _frozenset(), None
        if np is not _NUMPY_SEEN[0]:
            _NUMPY_SEEN[:] = [np, np.generic.item, _frozenset(np.sctypeDict.values()), np.ndarray]
        return _NUMPY_SEEN[1], _NUMPY_SEEN[2], _NUMPY_SEEN[3]
    except _BaseException:
        return None, _frozenset(), None


def _encode(value, depth=0):
    """Strict JSON encoder over exact built-in types; never calls methods of the value's own class."""
    if depth > 200:
        raise _Unserializable("value nested deeper than 200 levels")
    t = _type(value)
    if value is None:
        return "null"
    if t is _bool:
        return "true" if value else "false"
    if _issubclass(t, _int):
        try:
            digits = _int_repr(value)
        except ValueError:
            raise _Unserializable("integer too large to print")
        # Beyond 2**53 a JSON number would be rounded by the reader: keep the digits.
        if -_SAFE_INT <= _int(digits) <= _SAFE_INT:
            return digits
        return '{"$int":"%s"}' % digits
    if _issubclass(t, _float):
        text = _float_repr(value)
        if text in ("nan", "inf", "-inf"):
            return '{"$float":"%s"}' % text
        return text
    if _issubclass(t, _str):
        return _enc_str(_str_str(value))
    if _issubclass(t, _list):
        return "[" + ",".join(_encode(v, depth + 1) for v in _list_iter(value)) + "]"
    if _issubclass(t, _tuple):
        return "[" + ",".join(_encode(v, depth + 1) for v in _tuple_iter(value)) + "]"
    if _issubclass(t, _dict):
        parts = {}
        for k, v in _dict_items(value):
            kt = _type(k)
            if _issubclass(kt, _str):
                key = _str_str(k)
            elif kt is _bool:
                key = "true" if k else "false"
            elif _issubclass(kt, _int):
                key = _int_repr(k)
            elif _issubclass(kt, _float):
                key = _float_repr(k)
            elif k is None:
                key = "null"
            else:
                raise _Unserializable("dict key of type %s" % kt.__name__)
            if key in parts:
                raise _Unserializable("dict keys collide as text: %r" % key)
            parts[key] = _encode(v, depth + 1)
        return "{" + ",".join(_enc_str(k) + ":" + parts[k] for k in _sorted(parts)) + "}"
    if t is _set or t is _frozenset:
        items = _sorted(_encode(v, depth + 1) for v in value)
        return '{"$set":[' + ",".join(items) + "]}"
    if t is _bytes or t is _bytearray:
        return '{"$bytes":"%s"}' % _bytes.hex(_bytes(value))
    item, scalars, array = _numpy_kinds()
    if t in scalars:
        return _encode(item(value), depth + 1)
    if array is not None and t is array:
        return _encode(array.tolist(value), depth + 1)
    raise _Unserializable("return value of type %s cannot be compared" % t.__name__)


def _report(payload):
    """A report from a process that runs (or ran) candidate code: only what the candidate could say."""
    _write_channel(_dumps(payload) + "\n")


def _trusted(payload):
    """A report only the judge may make; fails once the trusted pipe is sealed."""
    _write_trusted(_dumps(payload) + "\n")


def _load_spec():
    with open("scrl_spec.json", encoding="utf-8") as f:
        spec = _json.load(f)
    files = {}
    for name in spec.get("read", []):
        with open(name, encoding="utf-8") as f:
            files[name] = f.read()
        _os.unlink(name)
    _os.unlink("scrl_spec.json")
    return spec, files


def _compile_program(source, filename="<program>"):
    return compile(source, filename, "exec", dont_inherit=True)


def _compile_or_report(source):
    """The program's code object, or None once CPython's rejection is reported (trusted: compiling
    runs none of the program): every run of a sample doubles as its compile check."""
    try:
        return _compile_program(source)
    except (SyntaxError, ValueError) as e:
        _trusted({"compiled": False, "error": _compile_error_message(e)})
        return None


def _fresh_module(name):
    import types
    mod = types.ModuleType(name)
    mod.__dict__["__builtins__"] = _builtins
    _sys.modules[name] = mod
    return mod.__dict__


def _exception_name(exc):
    return _type(exc).__name__


def mode_compile(spec, files):
    try:
        _compile_program(files["solution.py"])
        _trusted({"compiled": True})
    except (SyntaxError, ValueError) as e:
        _trusted({"compiled": False, "error": _compile_error_message(e)})


def _resolve_entry(ns, name, prefer_class):
    solution_cls = ns.get("Solution")
    method = None
    if _isinstance(solution_cls, type) and name in getattr(solution_cls, "__dict__", {}):
        method = lambda: getattr(solution_cls(), name)
    function = ns.get(name)
    function = function if callable(function) else None
    if prefer_class and method is not None:
        return method()
    if function is not None:
        return function
    if method is not None:
        return method()
    return None


# Names that call-based platforms (LeetCode, Codewars via the APPS harness) provide without an
# import, bound in the program's namespace before it runs: "List[int]" annotations need them.
_CALL_PRELUDE = """
import sys, time, itertools, collections, math, fractions, random, heapq, bisect, functools, string, re
from itertools import accumulate, product, permutations, combinations
from collections import Counter, OrderedDict, deque, defaultdict, ChainMap
from functools import lru_cache, reduce
from math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2
from typing import List, Tuple, Dict, Set, Optional, Any
from heapq import heappush, heappop, heapify
"""


def mode_call(spec, files):
    code = _compile_or_report(files["solution.py"])
    if code is None:
        return
    ns = _fresh_module("solution")
    exec(_CALL_PRELUDE, ns)
    _seal()
    exec(code, ns)
    fn = _resolve_entry(ns, spec["entry"], spec.get("prefer_class", False))
    if fn is None:
        _report({"missing": spec["entry"]})
        return
    result = fn(*spec["args"])
    try:
        _report({"value": _encode(result)})
    except _Unserializable as e:
        _report({"unserializable": str(e)})


def _finish_like_interpreter():
    """What CPython does at a normal exit (join non-daemon threads, run atexit, flush), for a forked
    child that leaves through os._exit: a program's output and cleanup behave as under `python3`."""
    try:
        import threading
        threading._shutdown()
    except _BaseException:
        pass
    try:
        import atexit
        atexit._run_exitfuncs()
    except _BaseException:
        pass
    for stream in (_sys.stdout, _sys.stderr):
        try:
            stream.flush()
        except _BaseException:
            pass


def _compile_error_message(e):
    line = getattr(e, "lineno", None)
    msg = "%s: %s" % (_type(e).__name__, getattr(e, "msg", None) or str(e))
    if line:
        msg += " (line %d)" % line
    return msg


def main():
    spec, files = _load_spec()
    mode = spec["mode"]
    # Written before any candidate code runs, so the judge can tell a job the program broke (it
    # patched builtins the sandbox child needs to report) from one that failed before it ran.
    _trusted({"started": True})
    {"compile": mode_compile, "call": mode_call, "seccodeplt": mode_seccodeplt, "seccodeplt_reference": mode_seccodeplt_reference, "seccodeplt_batch": mode_seccodeplt_batch, "safesql": mode_safesql}[mode](spec, files)
