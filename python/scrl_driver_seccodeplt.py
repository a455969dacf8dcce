# Part of the SecureCodeRL judge driver (python/scrl_driver.py): the SecCodePLT modes: the reference job, one case a job, and every case of a sample in one job.
# The judge joins python/scrl_driver*.py into one program (src/judge/driver-source.ts), so this part
# uses the core's names (_report, _encode, _fresh_module, ...) and the core's main() dispatches here.


def _builtin_snapshot():
    return _dict(_builtins.__dict__)


# Taken before any program code runs: a class the program names "builtins.ValueError" is checked
# against the real one, so a look-alike cannot pass for it.
_BUILTINS = _builtin_snapshot()
_type_module = _type.__dict__["__module__"].__get__
_type_qualname = _type.__dict__["__qualname__"].__get__
_type_mro = _type.__dict__["__mro__"].__get__


def _class_path(cls):
    """(module, qualname) of a class, read through type's own descriptors (a metaclass cannot fake
    them), or None when the name does not lead back to this very class."""
    try:
        module = _type_module(cls)
        qualname = _type_qualname(cls)
    except _BaseException:
        return None
    if not _isinstance(module, _str) or not _isinstance(qualname, _str):
        return None
    if module == "builtins":
        return [module, qualname] if _BUILTINS.get(qualname) is cls else None
    return [module, qualname]


def _raised_report(e):
    """What the judge needs to decide whether an exception matches the expected class, decided in
    TypeScript: the classes of its MRO by module and qualified name."""
    mro = []
    for cls in _type_mro(_type(e)):
        path = _class_path(cls)
        if path is not None:
            mro.append(path)
    return {"raised": _exception_name(e), "mro": mro, "message": _str(e)[:200]}


def _is_exception_class(x):
    return _isinstance(x, type) and _issubclass(x, _BaseException)


def _inputs_only(source, cases):
    """What the job running a program needs from testcases.py, and nothing else: the top-level
    statements the kwargs depend on (prelude) and each case's kwargs expression as source, in the
    order of cases. No expected value, case kind or case position: the judge lists the kwargs in a
    fresh random order per sample. Statements that only feed expected values are dropped. None when
    the source is not the literal "testcases = {kind: [(kwargs, expected), ...]}"."""
    import ast
    tree = ast.parse(source)
    target = None
    for stmt in tree.body:
        if _isinstance(stmt, ast.Assign) and _len(stmt.targets) == 1 and _isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == "testcases":
            target = stmt
    if target is None or not _isinstance(target.value, ast.Dict):
        return None
    by_kind = {}
    expected_names = set()
    used = set()
    for key, kind_list in zip(target.value.keys, target.value.values):
        if not _isinstance(key, ast.Constant) or not _isinstance(kind_list, (ast.List, ast.Tuple)):
            return None
        for case in kind_list.elts:
            # A case is a 2-tuple or, in some rows, a 2-element list (JSON-style sources).
            if not _isinstance(case, (ast.Tuple, ast.List)) or _len(case.elts) != 2:
                return None
            for node in ast.walk(case.elts[1]):
                if _isinstance(node, ast.Name):
                    expected_names.add(node.id)
            for node in ast.walk(case.elts[0]):
                if _isinstance(node, ast.Name):
                    used.add(node.id)
        by_kind[key.value] = [case.elts[0] for case in kind_list.elts]
    kwargs = []
    for kind, index in cases:
        exprs = by_kind.get(kind, [])
        if index >= _len(exprs):
            return None
        kwargs.append(ast.unparse(exprs[index]))
    kept = []
    for stmt in tree.body:
        if stmt is target:
            continue
        if _isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if _isinstance(stmt, ast.Assign) else [stmt.target]
            names = set()
            for t in targets:
                for node in ast.walk(t):
                    if _isinstance(node, ast.Name):
                        names.add(node.id)
            if names and names <= expected_names and not (names & used):
                continue
        kept.append(stmt)
    tree.body = kept
    return {"prelude": ast.unparse(tree), "kwargs": kwargs}


def mode_seccodeplt_reference(spec, files):
    """Expected outcome of every case, from setup + testcases alone: this job never runs a program.
    The judge caches what it reports per task and compares each program's results with it."""
    quiet = _io.StringIO()
    _sys.stdout = quiet
    try:
        ref = _fresh_module("scrl_reference")
        exec(_compile_program(files["setup.py"], "<setup>"), ref)
        exec(_compile_program(files["testcases.py"], "<testcases>"), ref)
        ref_cases = ref["testcases"]
        values = [ref_cases[kind][index][1] for kind, index in spec["cases"]]
    finally:
        _sys.stdout = _stdout
    expected = []
    for value in values:
        if _is_exception_class(value):
            path = _class_path(value)
            if path is None:
                expected.append({"bad_case": "expected exception class %r has no importable name" % (value,)})
            else:
                expected.append({"raises": path[1], "module": path[0]})
        else:
            try:
                expected.append({"value": _encode(value)})
            except _Unserializable as e:
                expected.append({"bad_case": "expected value: %s" % e})
    # This job runs task code alone (setup, testcases), never a candidate's: its report is trusted.
    _trusted({"expected": expected, "inputs": _inputs_only(files["testcases.py"], spec["cases"])})


def mode_seccodeplt(spec, files):
    """One case in one job: the program, then the case's kwargs (testcases.py here is the inputs-only
    list the judge wrote, holding this case alone)."""
    program = _compile_program(files["solution.py"])
    prog = _fresh_module("solution")
    _seal()
    exec(program, prog)
    fn = prog.get(spec["entry"])
    if not callable(fn):
        _report({"missing": spec["entry"]})
        return
    # kwargs are built in the program's namespace, as SecCodePLT's own harness does, so objects of
    # classes from setup are the program's own classes.
    exec(_compile_program(files["testcases.py"], "<testcases>"), prog)
    kwargs = prog["testcases"][0]
    try:
        result = fn(**kwargs)
    except _MemoryError:
        raise
    except _Exception as e:
        _report(_raised_report(e))
        return
    try:
        _report({"value": _encode(result)})
    except _Unserializable as e:
        _report({"unserializable": str(e)})


def _remove_path(path):
    try:
        _os.chmod(path, 0o700)
    except OSError:
        pass
    if _os.path.isdir(path) and not _os.path.islink(path):
        try:
            names = _os.listdir(path)
        except OSError:
            names = []
        for name in names:
            _remove_path(_os.path.join(path, name))
        try:
            _os.rmdir(path)
        except OSError:
            pass
    else:
        try:
            _os.unlink(path)
        except OSError:
            pass


def _reset_scratch(job_dir):
    """Back to the state the cases started from: an empty job directory and nothing else."""
    for root in ("/tmp", "/dev/shm"):
        try:
            names = _os.listdir(root)
        except OSError:
            continue
        for name in names:
            path = _os.path.join(root, name)
            if path == job_dir:
                try:
                    _os.chmod(job_dir, 0o700)
                except OSError:
                    pass
                for inner in _os.listdir(path):
                    _remove_path(_os.path.join(path, inner))
            else:
                _remove_path(path)
    try:
        _os.chmod(job_dir, 0o700)
    except OSError:
        pass


def _kill_case_processes(case_pid):
    """SIGKILLs and reaps everything a case started. The worker is init of the sandbox's pid namespace
    (immune to our signals) and this driver is the caller (spared by kill(-1)), so this reaches
    exactly the case's processes, daemons included; as a subreaper the driver collects them all.
    Returns (status, rusage) of the case's own process when it is reaped here."""
    try:
        _os_kill(-1, 9)
    except OSError:
        pass
    own = None
    while True:
        try:
            pid, status, rusage = _os_wait4(-1, 0)
        except ChildProcessError:
            return own
        except InterruptedError:
            continue
        if pid == case_pid:
            own = (status, rusage)


def _case_streams():
    """stdout and stderr for the case children, made once per job in the driver (~0.2 ms of CPU a
    case): objects over fds 1 and 2, which are pipes here as in each case child (so seekability,
    cached at creation, is the same). The driver never writes through them; each child gets its own
    copy, empty, when it is forked."""
    return (
        _io.TextIOWrapper(_io.BufferedWriter(_io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="surrogateescape"),
        _io.TextIOWrapper(_io.BufferedWriter(_io.FileIO(2, "w", closefd=False)), encoding="utf-8", errors="backslashreplace", line_buffering=True),
    )


def _case_child(res_w, out_w, err_w, program, testcases_code, entry, index, streams):
    """Runs in the forked child of one case; never returns. The child seals the trusted pipe first,
    then defines the program and builds the case's kwargs in its namespace, and calls the entry point:
    everything it reports is what the candidate could say itself."""
    _seal()
    try:
        _os.setsid()
        _os.dup2(out_w, 1)
        _os.dup2(err_w, 2)
        _os.close(out_w)
        _os.close(err_w)
        _sys.stdout, _sys.stderr = streams
        _sys.__stdout__, _sys.__stderr__ = _sys.stdout, _sys.stderr
    except _BaseException:
        _os._exit(121)
    write = _os.write
    exit_code = 0

    def report(payload):
        data = (_dumps(payload) + "\n").encode("utf-8", "surrogatepass")
        while data:
            data = data[write(res_w, data):]

    try:
        prog = _fresh_module("solution")
        exec(program, prog)
        fn = prog.get(entry)
        if not callable(fn):
            report({"missing": entry})
            _os._exit(0)
        # kwargs are built in the program's namespace, as SecCodePLT's own harness does, so objects
        # of classes from setup are the program's own classes.
        exec(testcases_code, prog)
        kwargs = prog["testcases"][index]
        try:
            result = fn(**kwargs)
        except _MemoryError:
            raise
        except _Exception as e:
            report(_raised_report(e))
        else:
            try:
                report({"value": _encode(result)})
            except _Unserializable as e:
                report({"unserializable": str(e)})
    except _SystemExit as e:
        code = e.code
        exit_code = 0 if code is None else (code & 0xFF if _isinstance(code, _int) else 1)
    except _MemoryError:
        report({"memory": True})
        exit_code = 1
    except _BaseException as e:
        import traceback
        try:
            traceback.print_exception(_type(e), e, e.__traceback__, file=_sys.stderr)
        except _BaseException:
            pass
        report({"uncaught": _exception_name(e)})
        exit_code = 1
    _finish_like_interpreter()
    _os._exit(exit_code)


_CLK_TCK = _os.sysconf("SC_CLK_TCK")


def _case_cpu_s(case_pid):
    """CPU seconds the case has used: every live (or not yet reaped) process of the sandbox except
    the worker (pid 1) and this driver, plus what the case's own process collected from children it
    waited for. The case's processes are exactly those: the driver runs one case at a time."""
    me = _os.getpid()
    total = 0
    try:
        pids = [int(p) for p in _os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0.0
    for p in pids:
        if p == 1 or p == me:
            continue
        try:
            with open("/proc/%d/stat" % p, "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
        if p == case_pid:
            total += int(fields[13]) + int(fields[14])
    return total / float(_CLK_TCK)


def _read_case(proc_pid, fds, cap, cpu_budget_s, backstop_s):
    """Collects one case child's pipes until it exits, enforcing its CPU budget, its wall-clock
    backstop and its output cap. The limit is CPU time, so a loaded machine cannot turn a pass into
    a timeout (issue 9, class 10); the wall clock only stops cases that sleep or block. CPU is
    sampled when the budget could first have run out: after the budget still left has passed in
    wall time (one busy thread cannot use CPU faster than that).
    Returns (how it ended, wait status, rusage, result-pipe bytes, stderr bytes, wall seconds)."""
    import select
    import time
    res_r, out_r, err_r = fds
    pidfd = _os.pidfd_open(proc_pid)
    bufs = {res_r: bytearray(), out_r: bytearray(), err_r: bytearray()}
    caps = {res_r: 1 << 24, out_r: cap, err_r: cap}
    poller = select.poll()
    for fd in bufs:
        poller.register(fd, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    open_fds = set(bufs)
    started = time.monotonic()
    backstop = started + backstop_s
    deadline = started + cpu_budget_s
    ended = None
    status = 0
    rusage = None
    exited = False
    while not exited or open_fds:
        now = time.monotonic()
        if ended is None and not exited and now >= deadline:
            used = _case_cpu_s(proc_pid)
            if used >= cpu_budget_s or now >= backstop:
                ended = "timeout"
                reaped = _kill_case_processes(proc_pid)
                if reaped is not None:
                    status, rusage = reaped
                    exited = True
                    poller.unregister(pidfd)
            else:
                deadline = min(backstop, now + max(0.005, cpu_budget_s - used))
        wait_ms = max(0, int((deadline - now) * 1000)) + 1 if ended is None and not exited else 1000
        try:
            events = poller.poll(wait_ms)
        except InterruptedError:
            continue
        for fd, _ev in events:
            if fd == pidfd:
                if not exited:
                    _, status, rusage = _os_wait4(proc_pid, 0)
                    exited = True
                    poller.unregister(pidfd)
                    # Whatever the case left behind dies now, so its pipes reach EOF.
                    _kill_case_processes(proc_pid)
                continue
            try:
                chunk = _os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                poller.unregister(fd)
                open_fds.discard(fd)
                continue
            buf = bufs[fd]
            room = caps[fd] + 1 - _len(buf)
            if room > 0:
                buf += chunk[:room]
            if _len(buf) > caps[fd] and fd != res_r and ended is None:
                ended = "output_limit"
                reaped = _kill_case_processes(proc_pid)
                if reaped is not None and not exited:
                    status, rusage = reaped
                    exited = True
                    poller.unregister(pidfd)
    wall = time.monotonic() - started
    _os.close(pidfd)
    for fd in bufs:
        _os.close(fd)
    return ended, status, rusage, bytes(bufs[res_r]), bytes(bufs[err_r][-4096:]), wall


def _case_fork():
    """fork(2) for the case children, without CPython's at-fork machinery when this driver has no
    other Python thread (it never starts one; so the case is the norm): os.fork() runs the hooks of
    every pre-imported module and re-initialises the interpreter's locks and thread states in the
    child, ~190 copy-on-write faults per case, a tenth of a SecCodePLT sample's sandbox CPU. With a
    single thread none of those locks is held, so there is nothing to repair; the one hook a
    program can observe, random's reseed, the child does itself (as the worker's children do,
    python/scrl_worker.py raw_fork). C-level pthread_atfork handlers still run: fork(2) is libc's."""
    threading = _modules.get("threading")
    if threading is not None and threading.active_count() != 1:
        return _os_fork
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
    except _Exception:
        return _os_fork
    raw = libc.fork
    raw.restype = ctypes.c_int
    raw.argtypes = []

    def fork():
        pid = raw()
        if pid < 0:
            err = ctypes.get_errno()
            raise OSError(err, _os.strerror(err))
        if pid == 0:
            rnd = _modules.get("random")
            if rnd is not None:
                rnd.seed()
        return pid

    return fork


def mode_seccodeplt_batch(spec, files):
    """Every case of one sample in one job. This process (the driver) never runs candidate code: it
    compiles the program and the inputs-only testcases, and forks one child per case, which defines
    the program and calls it. The driver observes each case's end (wait status, clock, output cap)
    and writes it on the trusted pipe, so no program can forge how a case ended; the child's own
    report (value, raised exception) is relayed as text, and says only what the program could say.
    Expected values come from a separate job (mode_seccodeplt_reference) and are compared outside."""
    import signal
    program = _compile_or_report(files["solution.py"])
    if program is None:
        return
    # testcases.py here is the inputs-only list the judge wrote (kwargs in a random order, no expected
    # values, kinds or positions).
    testcases_code = _compile_program(files["testcases.py"], "<testcases>")
    _trusted({"compiled": True})
    cases = spec["cases"]
    case_cpu_s = spec["case_cpu_ms"] / 1000.0
    case_backstop_s = spec["case_wall_ms"] / 1000.0
    cap = spec["max_output_bytes"]
    cpu_limit = spec["cpu_seconds"]
    entry = spec["entry"]
    job_dir = _os.path.realpath(".")
    try:
        import ctypes
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: a case's orphans come back here
    except _Exception:
        pass
    streams = _case_streams()
    # The driver's objects join the permanent generation before the first fork: a case's garbage
    # collections then never walk them, so their pages stay shared.
    fork = _case_fork()
    _gc_freeze()
    for i in _range(cases):
        res_r, res_w = _os.pipe2(_os.O_CLOEXEC)
        out_r, out_w = _os.pipe2(_os.O_CLOEXEC)
        err_r, err_w = _os.pipe2(_os.O_CLOEXEC)
        pid = fork()
        if pid == 0:
            try:
                for fd in (res_r, out_r, err_r):
                    _os.close(fd)
                _case_child(res_w, out_w, err_w, program, testcases_code, entry, i, streams)
            finally:
                _os._exit(121)
        for fd in (res_w, out_w, err_w):
            _os.close(fd)
        ended, status, rusage, res, err, wall = _read_case(pid, (res_r, out_r, err_r), cap, case_cpu_s, case_backstop_s)
        _reset_scratch(job_dir)
        sig = _os.WTERMSIG(status) if _os.WIFSIGNALED(status) else None
        cpu_ms = (rusage.ru_utime + rusage.ru_stime) * 1000.0 if rusage is not None else 0.0
        line = {"case": i, "wall_ms": wall * 1000.0, "cpu_ms": cpu_ms}
        if ended is not None:
            line["end"] = ended
        elif sig is not None and (sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_ms >= cpu_limit * 1000 - 50)):
            line["end"] = "timeout"
        elif sig is not None:
            line["end"] = "signal"
            try:
                line["signal"] = signal.Signals(sig).name
            except ValueError:
                line["signal"] = str(sig)
        else:
            line["exit_code"] = _os.WEXITSTATUS(status) if _os.WIFEXITED(status) else None
            # The case child's own report, passed on as text for the judge to parse.
            line["result"] = res.decode("utf-8", "replace")
        if err:
            line["stderr"] = err.decode("utf-8", "replace")
        _trusted(line)
    _seal()
