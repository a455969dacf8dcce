"""Warm sandboxed worker: runs inside bubblewrap, forks one fresh child per job.

Protocol on the control pipes (stdin/stdout of this process when started, moved to private fds):
every frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
TS -> worker: {"id": n, "code": str, "filename": str, "stdin": b64, "files": {name: b64},
                "limits": {...}}
worker -> TS: {"ready": true, ...} once after start-up, then one {"id": n, ...result} per job.

The child never sees the control pipes (closed right after fork) and this process is made
non-dumpable, so a job cannot open them through /proc/<pid>/fd and forge another job's result.
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
_devnull = os.open("/dev/null", os.O_RDWR)
os.dup2(_devnull, 0)
os.dup2(_devnull, 1)
os.close(_devnull)
os.set_inheritable(CTL_IN, False)
os.set_inheritable(CTL_OUT, False)


def close_fds_except(keep):
    """Close every open descriptor not in `keep`: whatever launched securecoderl may hold files or
    pipes without close-on-exec, and they would otherwise cross bubblewrap into every job."""
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


close_fds_except({0, 1, 2, CTL_IN, CTL_OUT})

# The child's last steps use these saved references, so a job that monkeypatches os cannot make the
# child fall back into the worker's loop (it would then act as a second worker).
_exit = os._exit
_write = os.write
_getpid = os.getpid
WORKER_PID = os.getpid()
# bwrap --chdir leaves PWD behind; jobs get only the variables set on the bwrap command line.
os.environ.pop("PWD", None)

# -S skips site, so Debian's dist-packages (numpy) must be added by hand.
for _p in ("/usr/lib/python3/dist-packages",):
    if os.path.isdir(_p) and _p not in sys.path:
        sys.path.append(_p)

import base64  # noqa: E402
import ctypes  # noqa: E402
import errno  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402

# Pre-import what generated programs commonly use, so forked children inherit it for free.
PRELOAD = [
    "abc", "array", "bisect", "collections", "collections.abc", "copy", "dataclasses", "datetime",
    "decimal", "enum", "fractions", "functools", "hashlib", "heapq", "itertools", "math", "operator",
    "random", "re", "statistics", "string", "typing", "json", "sqlite3", "threading", "queue",
    "textwrap", "unicodedata", "struct", "base64", "io", "os.path", "pathlib", "html", "urllib.parse",
    "subprocess", "shlex", "tempfile", "glob", "fnmatch", "hmac", "secrets", "pickle", "csv",
    "contextlib", "numpy",
    # Imported by many SecCodePLT programs and setups (html.parser, configparser, xml: 10-160 ms each
    # per job otherwise). Not sympy: 1.7 s and 34 MB for one task, and every fork would copy more.
    "ast", "html.parser", "configparser", "xml.etree.ElementTree", "xml.sax.saxutils", "logging", "uuid",
]
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

try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0: /proc/<worker>/fd becomes unreadable to jobs
    NON_DUMPABLE = True
except Exception:
    NON_DUMPABLE = False


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
    (length,) = struct.unpack(">I", head)
    body = read_exact(CTL_IN, length)
    if body is None:
        return None
    return json.loads(body.decode("utf-8"))


def write_frame(obj):
    body = json.dumps(obj).encode("utf-8")
    data = struct.pack(">I", len(body)) + body
    view = memoryview(data)
    while view:
        n = os.write(CTL_OUT, view)
        view = view[n:]


def vm_data_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmData:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# The memory limit is RLIMIT_DATA (private writable memory: heap, anonymous mmaps, thread stacks) on
# top of what the pre-loaded worker already holds. RLIMIT_AS would also count glibc's 64 MiB malloc
# arena reservations per thread and shared-library mappings, failing thread-heavy programs early.
BASE_DATA_KB = vm_data_kb()
SANDBOX_OWN_PROCESSES = 1
JOB_ROOT = "/tmp"
SCRATCH_DIRS = ("/tmp", "/dev/shm", "/dev/mqueue")


class WorkerUnclean(Exception):
    """A job left state the worker could not remove; the worker must be replaced, never reused."""


HOIST_DEPTH = 48


def wipe_dir(root):
    """Empty `root` whatever the job left: any permissions, any depth (directories deeper than
    HOIST_DEPTH are renamed up to the root, so neither fds nor path length nor recursion run out),
    any width (one pass per directory, iterators kept open)."""
    rootfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    hoisted = 0
    try:
        for _pass in range(100000):
            stack = [(rootfd, None, os.scandir(rootfd))]
            moved = False
            while stack:
                fd, _name, it = stack[-1]
                entry = next(it, None)
                if entry is None:
                    it.close()
                    stack.pop()
                    if stack:
                        os.close(fd)
                        try:
                            os.rmdir(_name, dir_fd=stack[-1][0])
                        except OSError:
                            pass
                    continue
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if not is_dir:
                    try:
                        os.unlink(entry.name, dir_fd=fd)
                    except OSError:
                        pass
                    continue
                try:
                    os.chmod(entry.name, 0o700, dir_fd=fd)
                except OSError:
                    pass
                if len(stack) >= HOIST_DEPTH:
                    hoisted += 1
                    try:
                        os.rename(entry.name, ".scrl-hoist-%d" % hoisted, src_dir_fd=fd, dst_dir_fd=rootfd)
                        moved = True
                        continue
                    except OSError:
                        pass
                try:
                    sub = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                    stack.append((sub, entry.name, os.scandir(sub)))
                except OSError:
                    pass
            if not moved and not os.listdir(root):
                return
    finally:
        os.close(rootfd)


def keyctl(op, a=0, b=0):
    try:
        return _libc.syscall(KEYCTL_SYSCALL, op, a, b, 0, 0)
    except Exception:
        return -1


import platform  # noqa: E402
KEYCTL_SYSCALL = {"x86_64": 250, "aarch64": 219}.get(platform.machine(), -1)
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_CLEAR = 1, 7
KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = -4, -5


def join_new_session_keyring():
    if KEYCTL_SYSCALL >= 0:
        keyctl(KEYCTL_JOIN_SESSION_KEYRING, None)


def clear_keyrings():
    # The per-uid keyrings are shared by every job of this worker (same uid in the same user namespace).
    if KEYCTL_SYSCALL >= 0:
        for ring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):
            keyctl(KEYCTL_CLEAR, ring)


SYSV_TABLES = (("/proc/sysvipc/shm", "shmctl"), ("/proc/sysvipc/msg", "msgctl"), ("/proc/sysvipc/sem", "semctl"))


def sysv_ids(table):
    try:
        with open(table) as f:
            return [int(line.split()[1]) for line in f.readlines()[1:] if line.strip()]
    except (OSError, ValueError, IndexError):
        return []


def purge_sysv_ipc():
    """Remove every SysV segment, queue and semaphore set of this worker's IPC namespace (bwrap's
    --unshare-ipc makes it private to the worker, so everything in it was made by a job)."""
    for table, fn in SYSV_TABLES:
        ids = sysv_ids(table)
        if not ids:
            continue
        call = getattr(_libc, fn)
        for ident in ids:
            if fn == "semctl":
                call(ident, 0, 0, 0)  # IPC_RMID
            else:
                call(ident, 0, None)
    # Queues and semaphore sets go at once; a removed segment lingers only while a dying job's
    # process still maps it, so only those two tables can prove the purge.
    if sysv_ids("/proc/sysvipc/msg") or sysv_ids("/proc/sysvipc/sem"):
        raise WorkerUnclean("SysV IPC objects survived the purge")


def clean_tmp():
    """Return the worker to the state no job ever touched, or raise WorkerUnclean."""
    for root in SCRATCH_DIRS:
        if not os.path.isdir(root):
            continue
        try:
            wipe_dir(root)
        except (OSError, RecursionError) as exc:
            raise WorkerUnclean("cannot wipe %s: %r" % (root, exc))
        if os.listdir(root):
            raise WorkerUnclean("%s is not empty after the wipe" % root)
    purge_sysv_ipc()
    clear_keyrings()


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
        reap_orphans()


PENDING_REAP = set()


def parse_meta(buf):
    try:
        meta = json.loads(bytes(buf).decode("utf-8", "replace")) if buf else {}
        return meta if isinstance(meta, dict) else {}
    except ValueError:
        return {}


def sandbox_pids():
    """Pids alive (or zombie) in our pid namespace, except the worker itself."""
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit() and p != "1"]
    except OSError:
        return []


def reap_others(exclude=None, max_wait_s=2.0, kill=True):
    """Collect every process of the sandbox except `exclude` (already SIGKILLed), so the next job
    starts with the full process budget; gives up after max_wait_s (stuck in uninterruptible sleep)."""
    deadline = time.monotonic() + max_wait_s
    while True:
        try:
            while True:
                pid, _status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                PENDING_REAP.discard(pid)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if not kill:
            return
        rest = [p for p in sandbox_pids() if p != exclude and p not in PENDING_REAP]
        if not rest or time.monotonic() >= deadline:
            return
        kill_everything_else(reap=False)
        time.sleep(0.0005)


def reap_orphans(max_wait_s=2.0):
    deadline = time.monotonic() + max_wait_s
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            # Killed processes still exiting (e.g. in uninterruptible sleep); wait a moment.
            if time.monotonic() >= deadline:
                return
            time.sleep(0.001)


def child_standby(go_r, fds, workdir):
    """Runs in the forked child; never returns. Everything that does not depend on the job happens
    before the job arrives on `go_r`, while the worker is idle."""
    out_w, err_w, chan_w, meta_w = fds
    try:
        close_fds_except({0, 1, 2, go_r, out_w, err_w, chan_w, meta_w})
        os.setsid()
        # A fresh anonymous session keyring: keys a previous job linked into its session are unreachable.
        join_new_session_keyring()
        # Dumpable again (the worker is not): the job may read its own /proc/self/{environ,fd}.
        _libc.prctl(4, 1, 0, 0, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.close(out_w)
        os.close(err_w)
        os.chdir(workdir)
    except Exception as exc:
        try:
            _write(meta_w, json.dumps({"setup_error": repr(exc)}).encode())
        finally:
            _exit(120)
    # Everything inherited from the worker joins the permanent generation: the job's own garbage
    # collections then never walk (and so never copy-on-write fault) the worker's pages. Moving the
    # generations is O(1): only the list heads are touched.
    gc.freeze()
    # Signal dispositions a fresh CPython process starts with (the worker ignores several).
    for signum in WORKER_IGNORED_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    head = read_exact(go_r, 4)
    if head is None:
        _exit(0)  # the worker discarded this standby child
    body = read_exact(go_r, struct.unpack(">I", head)[0])
    os.close(go_r)
    if body is None:
        _exit(0)
    child_main(json.loads(body.decode("utf-8")), chan_w, meta_w)


def child_main(job, chan_w, meta_w):
    """The job's part of the child's life; never returns."""
    # Bytes go to compile() as they are, so CPython applies PEP 263 (coding cookies, non-UTF-8 errors).
    code_text = base64.b64decode(job["code_b64"]) if "code_b64" in job else job["code"]
    filename = job.get("filename") or "<program>"
    limits = job["limits"]
    try:
        stdin_fd = os.memfd_create("stdin")
        view = memoryview(base64.b64decode(job.get("stdin") or ""))
        while view:
            view = view[os.write(stdin_fd, view):]
        os.lseek(stdin_fd, 0, os.SEEK_SET)
        os.dup2(stdin_fd, 0)
        os.close(stdin_fd)
        mem = (BASE_DATA_KB * 1024) + int(limits["memoryMb"]) * 1024 * 1024
        cpu = int(limits["cpuSeconds"])
        for res, value in (
            (resource.RLIMIT_DATA, (mem, mem)),
            (resource.RLIMIT_CPU, (cpu, cpu + 1)),
            (resource.RLIMIT_FSIZE, (int(limits["maxFileBytes"]),) * 2),
            (resource.RLIMIT_NOFILE, (int(limits["maxOpenFiles"]),) * 2),
            (resource.RLIMIT_CORE, (0, 0)),
        ):
            resource.setrlimit(res, value)
        if limits.get("enforceNproc"):
            # Inside its user namespace the uid also owns this worker and the previous jobs' children
            # still being torn down; the job (itself included) gets maxProcesses (one more if such a
            # child is reaped in the meantime).
            n = int(limits["maxProcesses"]) + SANDBOX_OWN_PROCESSES + int(job.get("exiting", 0))
            resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
    except Exception as exc:  # the sandbox failed to set up this job
        try:
            _write(meta_w, json.dumps({"setup_error": repr(exc)}).encode())
        finally:
            _exit(120)

    # Fresh standard streams over the real fds, as CPython would set them up for a script.
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8", errors="surrogateescape")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="surrogateescape")
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8", errors="backslashreplace", line_buffering=True)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr

    channel = types.ModuleType("_scrl_channel")

    def channel_write(text, _fd=chan_w):
        data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
        view = memoryview(data)
        while view:
            view = view[os.write(_fd, view):]

    channel.write = channel_write
    sys.modules["_scrl_channel"] = channel
    sys.argv = [filename]
    meta = {}

    def finish(code, _dumps=json.dumps, _flushables=(sys.stdout, sys.stderr), _getrusage=resource.getrusage, _close=os.close):
        code = code if isinstance(code, int) else 1
        for stream in (*_flushables, getattr(sys, "stdout", None), getattr(sys, "stderr", None)):
            try:
                stream.flush()
            except BaseException:
                pass
        try:
            me, kids = _getrusage(resource.RUSAGE_SELF), _getrusage(resource.RUSAGE_CHILDREN)
            meta["exit_code"] = code
            meta["cpu_ms"] = (me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime) * 1000.0
            meta["max_rss_kb"] = max(me.ru_maxrss, kids.ru_maxrss)
        except BaseException:
            pass
        # Report, then close every pipe to the worker before exiting: tearing down a forked copy of
        # the worker's address space takes milliseconds, and the verdict need not wait for it.
        for fd in (0, 1, 2, chan_w):
            try:
                _close(fd)
            except BaseException:
                pass
        try:
            _write(meta_w, _dumps(meta).encode())
        except BaseException:
            pass
        # EOF on the report now: the kernel closes fds only after unmapping the address space.
        try:
            _close(meta_w)
        except BaseException:
            pass
        _exit(code)

    try:
        cached = COMPILED_CACHE.get((code_text, filename)) if job.get("cache") else None
        compiled = cached if cached is not None else compile(code_text, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeError, OverflowError, MemoryError, RecursionError) as exc:
        if isinstance(exc, MemoryError):
            meta["exception"] = "MemoryError"
            meta["memory"] = True
        else:
            meta["compile_error"] = type(exc).__name__
        try:
            sys.stderr.write("".join(traceback.format_exception_only(type(exc), exc)))
        except Exception:
            pass
        finish(1)
    del code_text, job

    main_globals = {"__name__": "__main__", "__builtins__": __builtins__, "__file__": filename, "__doc__": None, "__package__": None, "__spec__": None}
    main_module = types.ModuleType("__main__")
    main_module.__dict__.update(main_globals)
    main_globals = main_module.__dict__
    sys.modules["__main__"] = main_module
    exit_code = 0
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
        meta["exception"] = type(exc).__name__
        meta["memory"] = isinstance(exc, MemoryError)
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
    # What the interpreter does at exit: wait for non-daemon threads, run atexit handlers.
    try:
        import threading
        threading._shutdown()
    except BaseException:
        pass
    try:
        import atexit
        atexit._run_exitfuncs()
    except BaseException:
        pass
    finish(exit_code)


CHILD_MAIN_CODE = child_main.__code__
# Trusted code the TS side sends with every job (the judge driver, flagged "cache"): compiled here
# once, so children forked afterwards inherit the code object instead of compiling it per job.
COMPILED_CACHE = {}
COMPILED_CACHE_MAX = 8


def remember_compiled(job):
    code_text, filename = job.get("code"), job.get("filename") or "<program>"
    if not job.get("cache") or not isinstance(code_text, str) or (code_text, filename) in COMPILED_CACHE:
        return
    if len(COMPILED_CACHE) >= COMPILED_CACHE_MAX:
        COMPILED_CACHE.clear()
    try:
        COMPILED_CACHE[(code_text, filename)] = compile(code_text, filename, "exec", dont_inherit=True)
    except Exception:
        pass  # the child compiles it and reports the error as for any job
WORKDIR = os.path.join(JOB_ROOT, "job")
# Set when the job just run left state the worker could not remove: the result goes out flagged
# "retire", the worker exits, and the pool starts a fresh one for the next job.
RETIRE = []
STANDBY = None


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def prefork():
    """Fork the child that will run the next job, in a clean job directory, ahead of time: fork and
    generic set-up then cost nothing on the job's critical path."""
    global STANDBY
    reap_others(kill=False)
    if os.listdir(JOB_ROOT):  # run_job cleans after each job; this covers start-up and failures
        clean_tmp()
    os.mkdir(WORKDIR, 0o700)
    out_r, out_w = os.pipe2(os.O_CLOEXEC)
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    chan_r, chan_w = os.pipe2(os.O_CLOEXEC)
    meta_r, meta_w = os.pipe2(os.O_CLOEXEC)
    go_r, go_w = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:
        try:
            for fd in (CTL_IN, CTL_OUT, out_r, err_r, chan_r, meta_r, go_w):
                os.close(fd)
            child_standby(go_r, (out_w, err_w, chan_w, meta_w), WORKDIR)
        finally:
            _exit(121)
    for fd in (out_w, err_w, chan_w, meta_w, go_r):
        os.close(fd)
    STANDBY = {"pid": pid, "go_w": go_w, "out_r": out_r, "err_r": err_r, "chan_r": chan_r, "meta_r": meta_r}


def take_standby():
    global STANDBY
    if STANDBY is None:
        prefork()
    sb, STANDBY = STANDBY, None
    return sb


def discard_standby(sb):
    for key in ("go_w", "out_r", "err_r", "chan_r", "meta_r"):
        try:
            os.close(sb[key])
        except OSError:
            pass
    try:
        os.kill(sb["pid"], signal.SIGKILL)
    except OSError:
        pass


PF_EXITING = 0x4
CLK_TCK = os.sysconf("SC_CLK_TCK")


def job_cpu_s(pid):
    """CPU seconds used by the job: every live process of the sandbox but the worker (the job and
    whatever it spawned), plus what the job's main process collected from its waited-for children."""
    total = 0
    for p in sandbox_pids():
        if p in PENDING_REAP:
            continue
        try:
            with open("/proc/%d/stat" % p, "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
        if p == pid:
            total += int(fields[13]) + int(fields[14])
    return total / float(CLK_TCK)


def process_exiting(pid):
    """True when every thread of `pid` is in the kernel's exit path (or already a zombie): what the
    worker observes, not what the program wrote."""
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return True  # already reaped from /proc: gone
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid), "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # that thread is gone
        # fields[0] is the state (field 3 of stat); flags is field 9.
        if fields[0] in (b"Z", b"X"):
            continue
        if not int(fields[6]) & PF_EXITING:
            return False
    return True


def run_job(job):
    limits = job["limits"]
    timeout_s = float(limits["timeoutMs"]) / 1000.0
    cap = int(limits["maxOutputBytes"])
    chan_cap = int(limits.get("maxChannelBytes", 64 * 1024 * 1024))
    workdir = WORKDIR
    sb = take_standby()
    for name, b64 in (job.get("files") or {}).items():
        path = os.path.normpath(os.path.join(workdir, name))
        if not path.startswith(workdir + "/"):
            discard_standby(sb)
            msg = "file name escapes the job directory: %r\n" % name
            return {"status": "sandbox_error", "stderr": base64.b64encode(msg.encode()).decode("ascii")}
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(b64))

    go = {k: job[k] for k in ("code", "code_b64", "filename", "stdin", "limits", "cache") if k in job}
    reap_others(kill=False)
    go["exiting"] = len(PENDING_REAP)
    body = json.dumps(go).encode("utf-8")
    started = time.monotonic()
    try:
        write_all(sb["go_w"], struct.pack(">I", len(body)) + body)
    except OSError as exc:
        discard_standby(sb)
        raise RuntimeError("standby child vanished: %r" % exc)
    os.close(sb["go_w"])
    pid, out_r, err_r, chan_r, meta_r = sb["pid"], sb["out_r"], sb["err_r"], sb["chan_r"], sb["meta_r"]

    pidfd = os.pidfd_open(pid)
    buffers = {out_r: bytearray(), err_r: bytearray(), chan_r: bytearray(), meta_r: bytearray()}
    caps = {out_r: cap, err_r: cap, chan_r: chan_cap, meta_r: 1 << 20}
    open_fds = set(buffers)
    poller = select.poll()
    for fd in open_fds:
        poller.register(fd, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    # The limit is CPU time (load cannot change a verdict); the wall clock is only a backstop for
    # jobs that sleep or block. CPU is sampled when it could first have run out: after the CPU
    # budget still left has passed in wall time (one busy thread cannot use CPU faster than that).
    backstop = started + float(limits.get("wallMs") or timeout_s * 3000 + 1000) / 1000.0
    deadline = started + timeout_s
    timed_out = False
    over_cap = False
    exited = False
    wait_status = 0
    rusage = None

    def kill_job():
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        kill_everything_else(reap=exited)

    drain_deadline = None
    reported = False
    while open_fds or not exited:
        now = time.monotonic()
        if not exited and now >= deadline:
            used = job_cpu_s(pid)
            if used >= timeout_s or now >= backstop:
                timed_out = True
                kill_job()
                deadline = float("inf")
            else:
                deadline = min(backstop, now + max(0.005, timeout_s - used))
        if exited and drain_deadline is None:
            # The main program is gone; whatever it left behind dies now so the pipes reach EOF.
            kill_everything_else(reap=False)
            drain_deadline = now + 2.0
        if drain_deadline is not None and now >= drain_deadline:
            break
        wait_until = deadline if not exited else drain_deadline
        timeout_ms = max(0, int((wait_until - now) * 1000)) + 1 if wait_until != float("inf") else 1000
        try:
            events = poller.poll(timeout_ms)
        except InterruptedError:
            continue
        for fd, _ev in events:
            if fd == pidfd:
                if reported:
                    continue
                _, wait_status, rusage = os.wait4(pid, 0)
                exited = True
                poller.unregister(pidfd)
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                poller.unregister(fd)
                open_fds.discard(fd)
                os.close(fd)
                if fd == meta_r and not exited:
                    final = parse_meta(buffers[meta_r])
                    # The report is the candidate's to forge (it holds meta_w): it only saves the wait
                    # for the address-space teardown when the kernel shows every thread exiting.
                    if isinstance(final.get("exit_code"), int) and process_exiting(pid):
                        # The program finished and said so; its process is only being torn down.
                        exited = reported = True
                        wait_status = (final["exit_code"] & 0xFF) << 8
                        poller.unregister(pidfd)
                continue
            buf = buffers[fd]
            room = caps[fd] + 1 - len(buf)
            if room > 0:
                buf += chunk[:room]
            if len(buf) > caps[fd] and fd in (out_r, err_r) and not over_cap:
                over_cap = True
                kill_job()
    for fd in open_fds:
        os.close(fd)
    os.close(pidfd)
    wall_ms = (time.monotonic() - started) * 1000.0
    kill_everything_else(reap=False)
    # Reap whatever the job left (all SIGKILLed); its main process, if it reported, may still be
    # tearing down and is collected later, without holding up the verdict.
    reap_others(exclude=pid if reported else None)
    if reported:
        PENDING_REAP.add(pid)
    try:
        clean_tmp()
    except WorkerUnclean as exc:
        RETIRE.append(str(exc))

    meta = parse_meta(buffers[meta_r])
    if rusage is not None:
        cpu_ms, max_rss_kb = (rusage.ru_utime + rusage.ru_stime) * 1000.0, rusage.ru_maxrss
    else:
        cpu_ms, max_rss_kb = float(meta.get("cpu_ms") or 0.0), int(meta.get("max_rss_kb") or 0)
    stdout = bytes(buffers[out_r][:cap])
    stderr = bytes(buffers[err_r][:cap])
    result = {"exit_code": None, "wall_ms": wall_ms, "cpu_ms": cpu_ms, "max_rss_kb": max_rss_kb}
    sig = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else None
    note = None
    if over_cap:
        status = "output_limit"
    elif timed_out:
        status = "timeout"
    elif sig is not None and (sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_ms >= int(limits["cpuSeconds"]) * 1000 - 50)):
        status = "timeout"
        note = "CPU time limit exceeded"
    elif "setup_error" in meta:
        status = "sandbox_error"
        note = "sandbox setup failed: " + str(meta["setup_error"])
    elif sig is not None:
        status = "runtime_error"
        try:
            signame = signal.Signals(sig).name
        except ValueError:
            signame = str(sig)
        note = "program killed by signal " + signame
    elif "compile_error" in meta:
        status = "compile_error"
        result["exit_code"] = os.WEXITSTATUS(wait_status)
    elif meta.get("exception"):
        status = "memory_limit" if meta.get("memory") else "runtime_error"
        result["exception"] = str(meta["exception"])
        result["exit_code"] = os.WEXITSTATUS(wait_status)
    elif os.WIFEXITED(wait_status) and not meta and os.WEXITSTATUS(wait_status) == 121:
        status = "sandbox_error"
        note = "sandbox child failed before running the program"
    else:
        status = "ok"
        result["exit_code"] = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else None
    result["status"] = status
    result["stdout"] = base64.b64encode(stdout).decode("ascii")
    result["stderr"] = base64.b64encode(stderr).decode("ascii")
    if note:
        result["note"] = note
    if buffers[chan_r]:
        result["channel"] = base64.b64encode(bytes(buffers[chan_r][:chan_cap])).decode("ascii")
    return result


# A job may signal the worker (same uid); the catchable ones are ignored so only SIGKILL/SIGSTOP
# can hurt it, and the TS side restarts a worker that dies or stops answering.
WORKER_IGNORED_SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                          signal.SIGUSR2, signal.SIGALRM, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU]


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
    write_frame({
        "ready": True,
        "python": sys.version.split()[0],
        "executable": os.path.realpath(sys.executable),
        "preloaded": PRELOADED,
        "numpy": "numpy" in PRELOADED,
        "non_dumpable": NON_DUMPABLE,
        "uid": os.getuid(),
        "nproc_limit": resource.getrlimit(resource.RLIMIT_NPROC)[0],
    })
    prefork_quietly()
    while True:
        job = read_frame()
        if job is None:
            kill_everything_else()
            os._exit(0)
        unclean = None
        try:
            result = run_job(job)
        except WorkerUnclean as exc:
            unclean = exc
            kill_everything_else()
            result = {"status": "sandbox_error", "stderr": base64.b64encode(("sandbox worker could not be cleaned: %s\n" % exc).encode()).decode("ascii")}
        except Exception:
            kill_everything_else()
            result = {"status": "sandbox_error", "stderr": base64.b64encode(traceback.format_exc().encode()).decode("ascii")}
        if RETIRE and unclean is None:
            unclean = WorkerUnclean(RETIRE[0])
        if unclean is not None:
            result["retire"] = str(unclean)
        result["id"] = job.get("id")
        write_frame(result)
        if unclean is not None:
            leave_unclean(unclean)
        remember_compiled(job)
        prefork_quietly()


if __name__ == "__main__":
    main()
