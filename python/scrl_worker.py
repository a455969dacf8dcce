"""Warm sandboxed worker: runs inside bubblewrap as pid 1 of its namespace, forks one fresh child per job.

Protocol on the control pipes (stdin/stdout of this process when started, moved to private fds):
TS -> worker: frames of a 4-byte big-endian length and UTF-8 JSON:
  {"define": key, "code": str, "filename": str}   trusted code (the judge driver) compiled here once
  {"id": n, "limits": {...}, "body": nbytes, "cache_key": key?}, then nbytes of raw job body (JSON:
      code or code_b64, filename, stdin, files), which this process never reads: it is spliced
      into the job's child (scrl_worker_job.py)
worker -> TS: frames of a 4-byte length, one kind byte and a payload: b"J" JSON ({"ready": true, ...}
  once, then one {"id": n, ...observations} per job), or the job's bytes by pipe (o stdout, e stderr,
  c channel, t trusted reports, x the program's exception report), spliced from the child's pipes.

This process is the state every child is forked from, so it never holds a job's bytes (issue 9,
class 2). The child never sees the control pipes (closed right after fork) and this process is
non-dumpable, so a job cannot open them through /proc/<pid>/fd or ptrace it.
Parts: scrl_worker_purge.py (cleaning up), scrl_worker_limits.py (memory limits),
scrl_worker_child.py (the child), scrl_worker_job.py (running a job).
"""

import os
import sys

# Safety interlock: the worker cleans up after jobs with kill(-1, SIGKILL), which inside its own pid
# namespace (where it is init, pid 1) reaches only the sandbox. Run anywhere else, it would kill every
# process the user may signal, so it refuses to start.
if os.getpid() != 1:
    sys.stderr.write("scrl_worker.py must run as pid 1 of its own pid namespace (bwrap --unshare-pid --as-pid-1); refusing to start\n")
    os._exit(3)

# The fds we were started with become the private control channel; 0/1 are pointed at /dev/null so
# a stray print from any pre-imported module cannot corrupt the protocol.
CTL_IN = os.dup(0)
CTL_OUT = os.dup(1)
# The interpreter's own standard streams, kept referenced for the worker's life: a job's child
# replaces sys.std* with its own, and without this reference the originals would be finalized there
# (flushed, closed: ~35 copy-on-write faults per job, and whatever a pre-imported module had left
# in their buffers written into the job's pipes). The child exits with os._exit, never flushing them.
ORIGINAL_STDIO = (sys.stdin, sys.stdout, sys.stderr)
_devnull = os.open("/dev/null", os.O_RDWR)
os.dup2(_devnull, 0)
os.dup2(_devnull, 1)
os.close(_devnull)
os.set_inheritable(CTL_IN, False)
os.set_inheritable(CTL_OUT, False)


FD_CEILING = 1 << 30


def close_fds_except(keep):
    """Close every open descriptor not in `keep`: whatever launched securecoderl may hold files or
    pipes without close-on-exec, and they would otherwise cross bubblewrap into every job. The gaps
    between kept fds go in one close_range(2) each (os.closerange), instead of listing /proc/self/fd
    and closing one by one (every child does this: ~0.1 ms of CPU saved per job)."""
    low = 0
    for fd in sorted(keep):
        if fd > low:
            os.closerange(low, fd)
        low = max(low, fd + 1)
    os.closerange(low, FD_CEILING)


close_fds_except({0, 1, 2, CTL_IN, CTL_OUT})

# The child's last steps use these saved references, so a job that monkeypatches os cannot make the
# child fall back into the worker's loop (it would then act as a second worker).
_exit = os._exit
_getpid = os.getpid
WORKER_PID = os.getpid()
# bwrap --chdir leaves PWD behind; jobs get only the variables set on the bwrap command line.
os.environ.pop("PWD", None)

# -I leaves the script's directory off sys.path: the worker's parts are imported from it by hand,
# and the path is removed again so jobs see the sys.path of a plain `python3 -I -S`.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import scrl_worker_child  # noqa: E402
import scrl_worker_job  # noqa: E402
import scrl_worker_limits  # noqa: E402
from scrl_worker_purge import WorkerUnclean, clean_tmp  # noqa: E402
sys.path.remove(_HERE)
# -S skips site, so Debian's dist-packages (numpy) must be added by hand.
for _p in ("/usr/lib/python3/dist-packages",):
    if os.path.isdir(_p) and _p not in sys.path:
        sys.path.append(_p)

import ctypes  # noqa: E402
import fcntl  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

# Pre-import what generated programs commonly use, so forked children inherit it for free.
PRELOAD = [
    "abc", "array", "bisect", "collections", "collections.abc", "copy", "datetime",
    "decimal", "enum", "fractions", "functools", "hashlib", "heapq", "itertools", "math", "operator",
    "random", "re", "statistics", "string", "typing", "json", "sqlite3", "threading", "queue",
    "textwrap", "unicodedata", "struct", "base64", "io", "os.path", "pathlib", "html", "urllib.parse",
    "subprocess", "shlex", "tempfile", "glob", "fnmatch", "hmac", "secrets", "pickle", "csv",
    "contextlib",
    # Imported by many SecCodePLT programs and setups (html.parser, configparser, xml: 10-160 ms each
    # per job otherwise). Not sympy: 1.7 s and 34 MB for one task, and every fork would copy more.
    "ast", "html.parser", "configparser", "xml.etree.ElementTree", "logging", "uuid",
]
# Imported by the job's own child, before its limits apply, when Node's header asks for it (the
# job's code or files name the module: src/sandbox/preload.ts). numpy is 8 of the worker's 22 MB:
# pre-imported here, every fork copied page tables for it (~0.3 ms in the parent, more in the
# child), while few jobs use it. dataclasses (inspect, dis, tokenize: 2.0 MB) and xml.sax.saxutils
# (urllib.request, http.client, email, ssl, socket: 2.6 MB) were a third of the worker's anonymous
# memory, which every fork copies page tables for and every child's exit tears down (~0.2 ms of
# CPU per job), for 0 and 9 of SecCodePLT+'s 655 tasks; a job that names them pays 10-15 ms.
ON_DEMAND = ("numpy", "dataclasses", "xml.sax.saxutils")
PRELOADED = []
for _name in PRELOAD:
    try:
        __import__(_name)
        PRELOADED.append(_name)
    except Exception:  # a missing optional module must not stop the worker
        pass

# Pre-loaded objects move to a permanent generation: the child's garbage collector then never
# touches (and so never copies) their pages.
import gc  # noqa: E402
gc.collect()
gc.freeze()

_libc = ctypes.CDLL(None, use_errno=True)
_raw_fork = _libc.fork
_raw_fork.restype = ctypes.c_int
_raw_fork.argtypes = []
try:
    _libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0: /proc/<worker>/fd becomes unreadable to jobs
    NON_DUMPABLE = True
except Exception:
    NON_DUMPABLE = False
# Fewer malloc arenas: each reserves 64 MiB of address space, which RLIMIT_AS counts.
scrl_worker_limits.limit_malloc_arenas(_libc)

JOB_ROOT = "/tmp"
WORKDIR = os.path.join(JOB_ROOT, "job")
# A job may signal the worker (same uid); the catchable ones are ignored so only SIGKILL/SIGSTOP
# can hurt it, and the TS side restarts a worker that dies or stops answering.
WORKER_IGNORED_SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                          signal.SIGUSR2, signal.SIGALRM, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU]


class Context:
    """What the child takes from the worker (all of it job-independent)."""
    libc = _libc
    ignored_signals = [int(s) for s in WORKER_IGNORED_SIGNALS]  # plain ints for _signal
    close_fds_except = staticmethod(close_fds_except)
    # RLIMIT_DATA is on top of what the pre-loaded worker already holds.
    base_data_kb = scrl_worker_limits.vm_kb("VmData:")
    # Job-independent, so built once here rather than in every child.
    memfd_filter = scrl_worker_limits.memfd_filter()
    on_demand = ON_DEMAND
    # The job's sys.stdin/stdout/stderr, built once before the worker's objects are frozen.
    streams = scrl_worker_child.stream_templates()
    own_processes = 1
    # Trusted code compiled here once ({"define"} frames: the judge driver), keyed by Node.
    compiled_cache = {}


CTX = Context()
COMPILED_CACHE_MAX = 8
F_SETPIPE_SZ = 1031


def read_exact(fd, n):
    chunks = []
    while n > 0:
        b = os.read(fd, n)
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def read_frame():
    head = read_exact(CTL_IN, 4)
    if head is None:
        return None
    body = read_exact(CTL_IN, struct.unpack(">I", head)[0])
    return None if body is None else json.loads(body.decode("utf-8"))


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_frame(obj):
    body = b"J" + json.dumps(obj).encode("utf-8")
    write_all(CTL_OUT, struct.pack(">I", len(body)) + body)


STANDBY = None
RETIRE = []


def kill_everything_else(reap=True):
    """SIGKILL every other process in the sandbox (the worker is the pid namespace's init), then reap
    them: orphans of a job are re-parented to the worker. While the job's main process is still to be
    waited for (its exit status matters), `reap` must be False."""
    global STANDBY
    if _getpid() != WORKER_PID or WORKER_PID != 1:
        _exit(122)  # a job's child must never act as the worker, and only init may kill(-1)
    if STANDBY is not None:
        discard_standby(STANDBY)
        STANDBY = None
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    if reap:
        reap_others()


def reap_others(max_wait_s=2.0):
    """Collect every (SIGKILLed) process of the sandbox, so the next job starts with the full process
    budget; gives up after max_wait_s (a process stuck in uninterruptible sleep)."""
    deadline = time.monotonic() + max_wait_s
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.0005)


STILL_EXITING = [0]
# True from a verified clean-up until the next child is forked.
KNOWN_CLEAN = [False]


def all_reaped():
    """True when the worker has no child left (every job process collected)."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def prefork():
    """Fork the child that will run the next job, in a clean job directory, ahead of time: fork and
    generic set-up then cost nothing on the job's critical path."""
    global STANDBY
    # run_job's clean-up verified the sandbox empty and nothing has run since (every process was
    # reaped): no need to look again. Start-up, failures and unreaped stragglers are checked here.
    if not (KNOWN_CLEAN[0] and STILL_EXITING[0] == 0) and os.listdir(JOB_ROOT):
        clean_tmp()
    KNOWN_CLEAN[0] = False
    os.mkdir(WORKDIR, 0o700)
    pipes = [os.pipe2(os.O_CLOEXEC) for _ in range(6)]
    (go_r, go_w), (out_r, out_w), (err_r, err_w), (chan_r, chan_w), (trust_r, trust_w), (rep_r, rep_w) = pipes
    # The worker empties these on a tick (see the pump in run_job), not as they are written; at the
    # default 64 KiB a judge driver's trusted line for one SecCodePLT case (its value, up to 4 KiB of
    # stderr) could fill the trusted pipe and stall the driver until the next tick (~2 ms a case).
    for fd in (out_w, err_w, chan_w, trust_w):
        try:
            fcntl.fcntl(fd, F_SETPIPE_SZ, scrl_worker_job.PIPE_BYTES)
        except OSError:
            pass
    pid = raw_fork()
    if pid == 0:
        try:
            for fd in (CTL_IN, CTL_OUT, go_w, out_r, err_r, chan_r, trust_r, rep_r):
                os.close(fd)
            scrl_worker_child.child_standby(CTX, go_r, (out_w, err_w, chan_w, trust_w, rep_w), WORKDIR)
        finally:
            _exit(121)
    for fd in (go_r, out_w, err_w, chan_w, trust_w, rep_w):
        os.close(fd)
    STANDBY = {"pid": pid, "go_w": go_w, "out_r": out_r, "err_r": err_r, "chan_r": chan_r, "trust_r": trust_r, "rep_r": rep_r}


def raw_fork():
    """fork(2) without CPython's at-fork machinery: os.fork() runs every os.register_at_fork hook of
    the pre-imported modules (threading, logging, random) and re-initialises the interpreter's locks
    and thread states in the child, which wrote to ~190 inherited pages (copy-on-write faults, about
    a third of a trivial job's CPU). The worker has a single thread that is in none of those locks
    when it forks, so there is nothing to repair; the one hook whose effect a job can observe,
    random's reseed, is done by the child itself (scrl_worker_child.reseed_after_fork). ctypes
    releases the GIL around the call and the child re-takes it on return, as after os.fork()."""
    pid = _raw_fork()
    if pid < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return pid


def take_standby():
    global STANDBY
    if STANDBY is None:
        prefork()
    sb, STANDBY = STANDBY, None
    return sb


def discard_standby(sb):
    for key in ("go_w", "out_r", "err_r", "chan_r", "trust_r", "rep_r"):
        try:
            os.close(sb[key])
        except OSError:
            pass
    try:
        os.kill(sb["pid"], signal.SIGKILL)
    except OSError:
        pass


def define(frame):
    """Compile trusted code (the judge driver) once; children forked afterwards inherit the code object."""
    if len(CTX.compiled_cache) >= COMPILED_CACHE_MAX:
        CTX.compiled_cache.clear()
    try:
        CTX.compiled_cache[frame["define"]] = compile(frame["code"], frame.get("filename") or "<program>", "exec", dont_inherit=True)
    except Exception:
        pass  # a job naming this key then compiles nothing and fails as a sandbox error


def prefork_quietly():
    # A failure here is retried (and then reported) when the next job takes its child. A worker that
    # cannot be cleaned leaves: the pool replaces it with a fresh one (new tmpfs, IPC namespace, keyrings).
    try:
        prefork()
    except WorkerUnclean as exc:
        leave_unclean(exc)
    except Exception:
        pass


def leave_unclean(exc):
    try:
        os.write(2, ("scrl_worker: replacing this worker: %s\n" % exc).encode())
    except OSError:
        pass
    kill_everything_else()
    _exit(0)


def main():
    # EPIPE instead of death: a standby child that vanished is handled; a vanished TS side ends the
    # loop through the exception (and --die-with-parent).
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    for signum in WORKER_IGNORED_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    wire = scrl_worker_job.Wire(CTL_IN, CTL_OUT)
    write_frame({
        "ready": True,
        "python": sys.version.split()[0],
        "executable": os.path.realpath(sys.executable),
        "preloaded": PRELOADED,
        "on_demand": list(ON_DEMAND),
        "non_dumpable": NON_DUMPABLE,
        "uid": os.getuid(),
        "nproc_limit": resource.getrlimit(resource.RLIMIT_NPROC)[0],
    })
    prefork_quietly()
    this = sys.modules[__name__]
    while True:
        frame = read_frame()
        if frame is None:
            kill_everything_else()
            os._exit(0)
        if "define" in frame:
            define(frame)
            # The standby child was forked before this code existed; the next one holds it.
            kill_everything_else()
            prefork_quietly()
            continue
        unclean = None
        try:
            result = scrl_worker_job.run_job(this, wire, frame, take_standby())
            try:
                clean_tmp()
                KNOWN_CLEAN[0] = True
            except WorkerUnclean as exc:
                unclean = exc  # the verdict stands; the worker leaves after sending it
        except WorkerUnclean as exc:
            unclean = exc
            kill_everything_else()
            result = {"lost": "sandbox worker could not be cleaned: %s" % exc}
        except Exception:
            kill_everything_else()
            result = {"lost": traceback.format_exc()}
        if unclean is not None:
            result["retire"] = str(unclean)
        result["id"] = frame.get("id")
        # The next job's child is forked before this verdict leaves, so that its set-up runs while
        # Node handles the verdict, not after the next job has arrived. Only when the clean-up
        # above verified the sandbox empty: prefork() then cleans nothing, and a failure to clean
        # (which ends this worker) cannot come before the verdict is sent.
        if unclean is None and KNOWN_CLEAN[0] and STILL_EXITING[0] == 0:
            prefork_quietly()
        write_frame(result)
        if unclean is not None:
            leave_unclean(unclean)
        if STANDBY is None:
            prefork_quietly()


if __name__ == "__main__":
    main()
