"""Part of the sandbox worker (python/scrl_worker.py): the forked child's life. Everything before the
job's code runs is the sandbox's trusted phase (set-up, compile, the judge driver's own reports);
once the job's code runs, nothing the child writes can say more than the program could say itself.

The standby child is forked from the worker, whose address space never held any job's bytes (the
worker splices them through the kernel, see scrl_worker_job.py): this child's memory holds only its
own job, which it reads from the `go` pipe after the fork.

Pipes the child holds (the worker holds the read ends):
  out_w, err_w   fds 1 and 2
  chan_w         `_scrl_channel.write`: the job's free-form result channel (untrusted)
  trust_w        trusted reports: the sandbox's own ("scrl" lines: set-up failure, compile error) and,
                 for trusted code only (the judge driver), `_scrl_channel.trusted`; closed before any
                 untrusted code runs (`_scrl_channel.seal()`, or by the child itself for a program)
  rep_w          after the code ran: the uncaught exception's type name (untrusted: a program can
                 always raise or swallow its own exceptions)
"""

import atexit
import base64
import gc
import io
import json
import os
import _signal
import resource
import struct
import sys
import threading
import traceback
import types

import scrl_worker_limits as limits_mod
from scrl_worker_purge import join_new_session_keyring

_exit = os._exit
# The child's last steps, bound now: a job that replaces these modules in sys.modules changes nothing.
_thread_shutdown = threading._shutdown
_run_exitfuncs = atexit._run_exitfuncs
START_LINE = (json.dumps({"scrl": "start"}) + "\n").encode()
_write = os.write
_close = os.close


def read_exact(fd, n):
    chunks = []
    while n > 0:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def read_frame_bytes(fd):
    head = read_exact(fd, 4)
    if head is None:
        return None
    return read_exact(fd, struct.unpack(">I", head)[0])


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[_write(fd, view):]


def trusted_line(fd, obj):
    try:
        write_all(fd, (json.dumps(obj) + "\n").encode("utf-8"))
    except BaseException:
        pass


def child_standby(ctx, go_r, fds, workdir):
    """Runs in the forked child; never returns. Everything that does not depend on the job happens
    before the job arrives on `go_r`, while the worker is idle."""
    out_w, err_w, chan_w, trust_w, rep_w = fds
    try:
        ctx.close_fds_except({0, 1, 2, go_r, out_w, err_w, chan_w, trust_w, rep_w})
        os.setsid()
        # A fresh anonymous session keyring: keys a previous job linked into its session are unreachable.
        join_new_session_keyring()
        # Dumpable again (the worker is not): the job may read its own /proc/self/{environ,fd}.
        ctx.libc.prctl(4, 1, 0, 0, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.close(out_w)
        os.close(err_w)
        os.chdir(workdir)
    except Exception as exc:
        trusted_line(trust_w, {"scrl": "setup_error", "error": repr(exc)})
        _exit(120)
    reseed_after_fork()
    # Everything inherited from the worker joins the permanent generation: the job's own garbage
    # collections then never walk (and so never copy-on-write fault) the worker's pages.
    gc.freeze()
    # Signal dispositions a fresh CPython process starts with (the worker ignores several).
    # Through _signal, the C module: signal.signal() is a Python wrapper that converts its arguments
    # and result through the Signals/Handlers enums, ~40 copy-on-write faults in every child.
    for signum in ctx.ignored_signals:
        _signal.signal(signum, _signal.SIG_DFL)
    _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    _signal.signal(_signal.SIGPIPE, _signal.SIG_IGN)
    _signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)
    try:
        # The job's stdin, made before memfd_create is denied to the job (scrl_worker_limits.py);
        # it is fd 0 from now on, empty until the job's stdin is written into it.
        stdin_fd = os.memfd_create("stdin")
        os.dup2(stdin_fd, 0)
        os.close(stdin_fd)
        if not limits_mod.deny_memfd(ctx.libc, ctx.memfd_filter):
            raise OSError("cannot install the seccomp filter")
        streams = ctx.streams
    except Exception as exc:
        trusted_line(trust_w, {"scrl": "setup_error", "error": repr(exc)})
        _exit(120)

    control = read_frame_bytes(go_r)  # what the worker says: limits, cache key (no job bytes)
    if control is None:
        _exit(0)  # the worker discarded this standby child
    body = read_frame_bytes(go_r)  # the job itself, spliced by the worker from Node's pipe
    os.close(go_r)
    if body is None:
        _exit(0)
    child_main(ctx, json.loads(control.decode("utf-8")), body, workdir, streams, (chan_w, trust_w, rep_w))


def reseed_after_fork():
    """What os.fork()'s hooks would do that a job can see: random's module-level generator gets a
    fresh seed from the OS (the worker forks with a raw fork(2), scrl_worker.raw_fork), so no two
    jobs share a random sequence. Modules a job imports later register their own hooks as usual."""
    rnd = sys.modules.get("random")
    if rnd is not None:
        rnd.seed()


def standard_streams():
    """Fresh standard streams over fds 0, 1 and 2, as CPython would set them up for a script.

    Built once, in the worker at start-up (stream_templates), and inherited unused by every child:
    built in each child they cost ~65 copy-on-write faults (the codec lookup and the io classes'
    Python-level set-up). They hold nothing but fd numbers, what the construction learned about
    the fds and empty buffers, so they are what the child would build itself as long as the fds
    are of the same kinds; stream_templates builds them over a memfd for 0 and pipes for 1 and 2,
    which is what the child's fds are."""
    return (
        io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8", errors="surrogateescape"),
        io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="surrogateescape"),
        io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8", errors="backslashreplace", line_buffering=True),
    )


def stream_templates():
    """standard_streams() built over fds of the kinds the child's will be (a memfd for stdin, pipes
    for stdout and stderr), with the caller's fds 0, 1 and 2 put back afterwards. Nothing is read or
    written through them here; each child uses its own copy."""
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    memfd = os.memfd_create("stdin")
    pipe_r, pipe_w = os.pipe()
    try:
        os.dup2(memfd, 0)
        os.dup2(pipe_w, 1)
        os.dup2(pipe_w, 2)
        return standard_streams()
    finally:
        for fd, keep in zip((0, 1, 2), saved):
            os.dup2(keep, fd)
            os.close(keep)
        for fd in (memfd, pipe_r, pipe_w):
            os.close(fd)


def write_files(workdir, files):
    """The job's files, written by the child (the worker never reads them); None or the bad name."""
    for name, b64 in (files or {}).items():
        path = os.path.normpath(os.path.join(workdir, name))
        if not path.startswith(workdir + "/"):
            return name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(b64))
    return None


def import_on_demand(ctx, names):
    """Imports the modules Node asked for (the job names them) before the job's limits and code,
    as the worker once pre-imported them for every job. Returns the data size the memory limit then
    sits on top of (what the worker held plus these imports), or None when nothing was imported.
    A module that fails to import is left for the program's own import to report."""
    imported = False
    for name in names or ():
        if name in ctx.on_demand and name not in sys.modules:
            try:
                __import__(name)
                imported = True
            except Exception:
                pass
    return limits_mod.vm_kb("VmData:") if imported else None


def child_main(ctx, control, body, workdir, streams, fds):
    """The job's part of the child's life; never returns."""
    chan_w, trust_w, rep_w = fds
    limits = control["limits"]
    base_data_kb = import_on_demand(ctx, control.get("preload"))
    try:
        job = json.loads(body.decode("utf-8"))
        del body
        bad = write_files(workdir, job.pop("files", None))
        if bad is not None:
            trusted_line(trust_w, {"scrl": "bad_file", "name": bad})
            _exit(120)
        write_all(0, base64.b64decode(job.pop("stdin", None) or ""))
        os.lseek(0, 0, os.SEEK_SET)
        limits_mod.apply_job_limits(ctx, limits, int(control.get("exiting", 0)), base_data_kb)
    except Exception as exc:  # the sandbox failed to set up this job
        trusted_line(trust_w, {"scrl": "setup_error", "error": repr(exc)})
        _exit(120)
    # Bytes go to compile() as they are, so CPython applies PEP 263 (coding cookies, non-UTF-8 errors).
    code_text = base64.b64decode(job["code_b64"]) if "code_b64" in job else job.get("code")
    filename = job.get("filename") or "<program>"
    cache_key = control.get("cache_key")
    trusted_code = cache_key is not None and cache_key in ctx.compiled_cache

    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr

    sealed = []

    def seal(_close=_close):
        # Called by trusted code before it runs anything untrusted: the trusted pipe is gone from
        # this process for good, so nothing that runs afterwards can write a trusted report.
        if not sealed:
            sealed.append(True)
            try:
                _close(trust_w)
            except OSError:
                pass

    channel = types.ModuleType("_scrl_channel")

    def channel_write(text, _fd=chan_w):
        write_all(_fd, text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text))

    def channel_trusted(text, _fd=trust_w):
        if sealed:
            raise OSError("the trusted channel is sealed")
        write_all(_fd, text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text))

    channel.write = channel_write
    channel.trusted = channel_trusted
    channel.seal = seal
    sys.modules["_scrl_channel"] = channel
    sys.argv = [filename]

    def finish(code, report=None, _dumps=json.dumps, _flushables=(sys.stdout, sys.stderr)):
        code = code if isinstance(code, int) else 1
        for stream in (*_flushables, getattr(sys, "stdout", None), getattr(sys, "stderr", None)):
            try:
                stream.flush()
            except BaseException:
                pass
        if report:
            try:
                write_all(rep_w, _dumps(report).encode())
            except BaseException:
                pass
        _exit(code)

    try:
        cached = ctx.compiled_cache.get(cache_key) if trusted_code else None
        compiled = cached if cached is not None else compile(code_text, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeError, OverflowError, MemoryError, RecursionError) as exc:
        # Still the trusted phase: nothing of the job has run, so this report is the sandbox's own.
        if isinstance(exc, MemoryError):
            trusted_line(trust_w, {"scrl": "compile_memory"})
        else:
            trusted_line(trust_w, {"scrl": "compile_error", "type": type(exc).__name__})
        try:
            sys.stderr.write("".join(traceback.format_exception_only(type(exc), exc)))
        except Exception:
            pass
        finish(1)
    del code_text, job
    # The last trusted word of the sandbox itself: the job's code starts now.
    try:
        write_all(trust_w, START_LINE)
    except BaseException:
        pass
    if not trusted_code:
        seal()  # a program under test never holds the trusted pipe

    main_module = types.ModuleType("__main__")
    main_module.__dict__.update({"__name__": "__main__", "__builtins__": __builtins__, "__file__": filename, "__doc__": None, "__package__": None, "__spec__": None})
    main_globals = main_module.__dict__
    sys.modules["__main__"] = main_module
    exit_code = 0
    report = None
    try:
        exec(compiled, main_globals)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            exit_code = 0
        elif isinstance(code, int):
            exit_code = code & 0xFF
        else:
            try:
                sys.stderr.write(str(code) + "\n")
            except Exception:
                pass
            exit_code = 1
    except BaseException as exc:  # noqa: BLE001 - the program's own uncaught exception
        report = {"exception": type(exc).__name__, "memory": isinstance(exc, MemoryError)}
        try:
            tb = exc.__traceback__
            if tb is not None and tb.tb_frame.f_code is CHILD_MAIN_CODE:
                tb = tb.tb_next  # hide the worker's own exec() frame, as a plain `python3 prog.py` would
            traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
        except BaseException:
            try:
                os.write(2, ("Traceback unavailable: %s\n" % type(exc).__name__).encode())
            except BaseException:
                pass
        exit_code = 1
    seal()
    # What the interpreter does at exit: wait for non-daemon threads, run atexit handlers.
    try:
        _thread_shutdown()
    except BaseException:
        pass
    try:
        _run_exitfuncs()
    except BaseException:
        pass
    finish(exit_code, report)


CHILD_MAIN_CODE = child_main.__code__
