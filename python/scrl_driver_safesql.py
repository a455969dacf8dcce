# Part of the SecureCodeRL judge driver (python/scrl_driver.py): the SafeSQL mode.
# The judge joins python/scrl_driver*.py into one program (src/judge/driver-source.ts), so this part
# uses the core's names (_report, _encode, _fresh_module, ...) and the core's main() dispatches here.
#
# What the judge traces (every statement sent to SQLite, the database afterwards) must come from a
# process the program cannot patch (issue 9, class 7). So this process never runs program code: it
# builds the database, keeps it in its own memory, and serves it to the program, which runs in a
# forked child whose `sqlite3` only forwards each call over a pipe. Every statement that reaches the
# database is traced here, by SQLite, and the digest is taken here once the child and everything it
# started are dead. The child holds no descriptor but stdin, stdout, stderr and its two pipe ends
# (the report channel is closed in it), and this process is not dumpable, so the child can neither
# report for it nor read or patch its memory. A program that bypasses the proxy (the C module, its
# own SQLite through ctypes) reaches only an empty placeholder file: the data lives here alone.

_SQL_MAX_MESSAGE = 1 << 24
_SQL_MAX_STATEMENTS = 200
_SQL_MAX_HANDLES = 10000
_SQL_FETCH_BYTES = 1 << 23


def _recording_input_for(prompts):
    def _recording_input(prompt=""):
        # input() as CPython does it with a non-terminal stdin (prompt written to stdout), and the prompt
        # recorded: SafeSQL expected outputs hold the prompts for some tasks and only the rows for others.
        if prompt != "":
            text = str(prompt)
            prompts.append(text)
            _sys.stdout.write(text)
            _sys.stdout.flush()
        line = _sys.stdin.readline()
        if not line:
            raise EOFError("EOF when reading a line")
        return line[:-1] if line.endswith("\n") else line
    return _recording_input


def _sql_encode_value(v):
    if _isinstance(v, (_bytes, _bytearray, memoryview)):
        return {"$b": _bytes(v).hex()}
    return v


def _sql_decode_value(v):
    if _type(v) is _dict:
        return _bytes.fromhex(v["$b"])
    return v


# ---------------------------------------------------------------- the server (this process)

class _SqlServer:
    """The database, in this process's memory, and every statement the program had it run."""

    def __init__(self, sqlite3, job_dir):
        self.sqlite3 = sqlite3
        self.job_dir = job_dir
        self.served = {}  # real path -> shared in-memory URI
        self.anchors = []  # one connection per served database keeps it alive
        self.conns = {}
        self.cursors = {}
        self.next_id = 1
        self.statements = []
        self.db_count = 0
        self.placeholders = []

    def _new_database(self, key):
        self.db_count += 1
        uri = "file:scrl_served_%d?mode=memory&cache=shared" % self.db_count
        anchor = self.sqlite3.connect(uri, uri=True)
        self.anchors.append((key, anchor))
        self.served[key] = uri
        return uri, anchor

    def load_files(self):
        """Moves every SQLite database file in the job directory into memory, leaving an empty
        placeholder (a valid, empty database) under its name."""
        for name in _sorted(_os.listdir(self.job_dir)):
            path = _os.path.join(self.job_dir, name)
            if _os.path.islink(path) or not _os.path.isfile(path):
                continue
            try:
                with open(path, "rb") as f:
                    head = f.read(16)
            except OSError:
                continue
            if head != b"SQLite format 3\x00":
                continue
            disk = self.sqlite3.connect(path)
            try:
                _uri, anchor = self._new_database(_os.path.realpath(path))
                disk.backup(anchor)
            finally:
                disk.close()
            self.placeholders.append(path)
            for suffix in ("", "-journal", "-wal", "-shm"):
                try:
                    if suffix == "":
                        open(path, "wb").close()
                    else:
                        _os.unlink(path + suffix)
                except OSError:
                    pass

    def _trace(self, sql):
        if _len(self.statements) < _SQL_MAX_STATEMENTS:
            self.statements.append(_str(sql)[:4000])

    def _id(self):
        n = self.next_id
        self.next_id += 1
        return n

    def op_connect(self, req):
        if _len(self.conns) + _len(self.cursors) >= _SQL_MAX_HANDLES:
            raise self.sqlite3.OperationalError("too many open connections and cursors")
        target = _str(req.get("database", ""))
        uri = bool(req.get("uri"))
        read_only = False
        memory = False
        if uri and target.startswith("file:"):
            path, _, query = target[5:].partition("?")
            params = dict(p.partition("=")[::2] for p in query.split("&") if p)
            read_only = params.get("mode") == "ro"
            memory = params.get("mode") == "memory" or path in ("", ":memory:")
            target = path
        elif target in ("", ":memory:"):
            memory = True
        level = req.get("isolation_level", "")
        if memory:
            conn = self.sqlite3.connect(":memory:", isolation_level=level)
        else:
            cwd = _str(req.get("cwd", self.job_dir))
            key = _os.path.realpath(_os.path.join(cwd, target))
            served = self.served.get(key)
            if served is None:
                served, _anchor = self._new_database(key)
            conn = self.sqlite3.connect(served, uri=True, isolation_level=level)
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        conn.set_trace_callback(self._trace)
        cid = self._id()
        self.conns[cid] = conn
        return {"id": cid}

    def _conn(self, req):
        conn = self.conns.get(req.get("conn"))
        if conn is None:
            raise self.sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return conn

    def _cursor(self, req):
        cur = self.cursors.get(req.get("cur"))
        if cur is None:
            raise self.sqlite3.ProgrammingError("Cannot operate on a closed cursor.")
        return cur

    def op_cursor(self, req):
        if _len(self.conns) + _len(self.cursors) >= _SQL_MAX_HANDLES:
            raise self.sqlite3.OperationalError("too many open connections and cursors")
        cid = self._id()
        self.cursors[cid] = self._conn(req).cursor()
        return {"id": cid}

    def _cursor_state(self, cur):
        desc = cur.description
        return {
            "description": [_str(d[0]) for d in desc] if desc else None,
            "rowcount": cur.rowcount,
            "lastrowid": cur.lastrowid,
        }

    @staticmethod
    def _params(raw):
        if raw is None:
            return ()
        if _type(raw) is _dict and "$b" not in raw:
            return {k: _sql_decode_value(v) for k, v in raw.items()}
        if _type(raw) is _list:
            return [_sql_decode_value(v) for v in raw]
        raise ValueError("parameters are of unsupported type")

    def op_execute(self, req):
        cur = self._cursor(req)
        cur.execute(_str(req["sql"]), self._params(req.get("params")))
        return self._cursor_state(cur)

    def op_executemany(self, req):
        cur = self._cursor(req)
        cur.executemany(_str(req["sql"]), [self._params(p) for p in req.get("seq", [])])
        return self._cursor_state(cur)

    def op_executescript(self, req):
        cur = self._cursor(req)
        cur.executescript(_str(req["sql"]))
        return self._cursor_state(cur)

    def op_fetch(self, req):
        cur = self._cursor(req)
        want = _int(req.get("n", -1))
        rows = []
        size = 0
        done = False
        while want < 0 or _len(rows) < want:
            batch = cur.fetchmany(256 if want < 0 else min(256, want - _len(rows)))
            if not batch:
                done = True
                break
            for row in batch:
                enc = [_sql_encode_value(v) for v in row]
                rows.append(enc)
                size += 16 + sum(_len(v) if _isinstance(v, _str) else (_len(v["$b"]) if _type(v) is _dict else 8) for v in enc)
            if size > _SQL_FETCH_BYTES:
                break
        return {"rows": rows, "done": done}

    def op_cursor_close(self, req):
        cur = self.cursors.pop(req.get("cur"), None)
        if cur is not None:
            cur.close()
        return {}

    def op_commit(self, req):
        self._conn(req).commit()
        return {}

    def op_rollback(self, req):
        self._conn(req).rollback()
        return {}

    def op_close(self, req):
        conn = self.conns.pop(req.get("conn"), None)
        if conn is not None:
            conn.close()
        return {}

    def op_info(self, req):
        conn = self._conn(req)
        return {"total_changes": conn.total_changes, "in_transaction": conn.in_transaction, "isolation_level": conn.isolation_level}

    def op_isolation(self, req):
        self._conn(req).isolation_level = req.get("value")
        return {}

    def op_iterdump(self, req):
        return {"lines": _list(self._conn(req).iterdump())}

    def handle(self, req):
        op = req.get("op") if _type(req) is _dict else None
        method = getattr(self, "op_" + op, None) if _isinstance(op, _str) and op.isidentifier() else None
        if method is None:
            return {"error": "OperationalError", "message": "unsupported database request"}
        try:
            return {"ok": method(req)}
        except _Exception as e:
            return {"error": _type(e).__name__, "message": _str(e)[:2000]}

    def close_all(self):
        """Closes the program's connections (what it did not commit is rolled back, as a process
        that ends without committing leaves a database file)."""
        for conn in _list(self.conns.values()):
            try:
                conn.close()
            except _Exception:
                pass
        self.conns.clear()
        self.cursors.clear()

    def digest(self):
        """The served databases (by path within the job directory) and every file left in it."""
        import hashlib
        h = hashlib.sha256()
        for key, anchor in _sorted(self.anchors, key=lambda ka: ka[0]):
            h.update(b"db\0" + _os.path.relpath(key, self.job_dir).encode("utf-8", "surrogateescape") + b"\0")
            for line in anchor.iterdump():
                h.update(line.encode("utf-8", "surrogateescape") + b"\n")
        for name in _sorted(_os.listdir(self.job_dir)):
            path = _os.path.join(self.job_dir, name)
            if _os.path.islink(path) or not _os.path.isfile(path):
                continue
            h.update(b"file\0" + name.encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(path, "rb") as f:
                    h.update(f.read(1 << 26))
            except OSError:
                h.update(b"unreadable")
        return h.hexdigest()


class _PlaceholderWatch:
    """inotify on the placeholder files, owned by this process: any open, read, write, rename or
    removal of one while the program runs means it reached for the database around the proxy (the
    C module, its own SQLite through ctypes), where nothing it does is traced."""

    # IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_OPEN | IN_MOVE_SELF | IN_DELETE_SELF
    MASK = 0x1 | 0x2 | 0x4 | 0x20 | 0x800 | 0x400

    def __init__(self, paths):
        self.fd = -1
        self.broken = False
        if not paths:
            return
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(_os.O_NONBLOCK | _os.O_CLOEXEC)
            if fd < 0:
                raise OSError(ctypes.get_errno(), "inotify_init1")
            self.fd = fd
            for path in paths:
                if libc.inotify_add_watch(fd, path.encode("utf-8", "surrogateescape"), self.MASK) < 0:
                    raise OSError(ctypes.get_errno(), "inotify_add_watch")
        except _Exception:
            # Without a watch a bypass would go unseen: count the run as bypassed rather than clean.
            self.broken = True

    def touched(self):
        if self.fd < 0:
            return self.broken
        try:
            events = _os.read(self.fd, 65536)
        except BlockingIOError:
            events = b""
        except OSError:
            return True
        finally:
            _os.close(self.fd)
            self.fd = -1
        return self.broken or _len(events) > 0


def _sql_serve(server, req_r, resp_w, pid):
    """Answers the child's requests until it exits, and closes both pipe ends. Returns its wait status and its last words (the
    'end' message: uncaught exception and prompts, the program's own account, or None)."""
    import errno
    import select
    pidfd = _os.pidfd_open(pid)
    _os.set_blocking(req_r, False)
    _os.set_blocking(resp_w, False)
    poller = select.poll()
    poller.register(req_r, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    buf = bytearray()
    end = None
    serving = True

    def send(payload):
        data = memoryview((lambda b: _len(b).to_bytes(4, "big") + b)(_dumps(payload).encode("utf-8", "surrogatepass")))
        out = select.poll()
        out.register(resp_w, select.POLLOUT)
        out.register(pidfd, select.POLLIN)
        while data:
            try:
                data = data[_os.write(resp_w, data):]
                continue
            except BlockingIOError:
                pass
            except OSError:
                return False
            for fd, _ev in out.poll():
                if fd == pidfd:
                    return False
        return True

    def take_messages(execute):
        nonlocal buf, end
        while _len(buf) >= 4:
            n = _int.from_bytes(buf[:4], "big")
            if n > _SQL_MAX_MESSAGE:
                return False
            if _len(buf) < 4 + n:
                break
            body = _bytes(buf[4:4 + n])
            del buf[:4 + n]
            try:
                req = _json.loads(body.decode("utf-8", "surrogatepass"))
            except _Exception:
                return False
            if _type(req) is _dict and req.get("op") == "end":
                end = req
                continue
            if not execute:
                continue
            if not send(server.handle(req)):
                return False
        return True

    exited = False
    status = 0
    while not exited:
        try:
            events = poller.poll()
        except InterruptedError:
            continue
        for fd, _ev in events:
            if fd == pidfd:
                _, status, _ru = _os_wait4(pid, 0)
                exited = True
                continue
            if not serving:
                continue
            try:
                chunk = _os.read(req_r, 1 << 16)
            except BlockingIOError:
                continue
            except OSError as e:
                chunk = b"" if e.errno != errno.EINTR else None
            if chunk is None:
                continue
            if not chunk:
                poller.unregister(req_r)
                serving = False
                continue
            buf += chunk
            if not take_messages(True):
                # The program broke its own channel (garbage on the pipe): it gets no more answers,
                # and EOF at once rather than a wait that would end as a timeout.
                poller.unregister(req_r)
                serving = False
                _os.close(resp_w)
                resp_w = -1
    # Whatever the child wrote before it exited (its 'end' message) is still in the pipe; statements
    # sent without waiting for an answer are not run once the program is over.
    if serving:
        while True:
            try:
                chunk = _os.read(req_r, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
        take_messages(False)
    _os.close(pidfd)
    _os.close(req_r)
    if resp_w >= 0:
        _os.close(resp_w)
    return status, end


def _sql_kill_rest():
    """SIGKILLs and reaps whatever the child left running (daemons included). The worker is init of
    the sandbox's pid namespace (immune to our signals) and kill(-1) spares the caller, so this
    reaches exactly the program's processes; as a subreaper this process collects them."""
    try:
        _os_kill(-1, 9)
    except OSError:
        pass
    while True:
        try:
            _os_wait4(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def mode_safesql(spec, files):
    import signal
    import sqlite3
    code = _compile_or_report(files["solution.py"])
    if code is None:
        return
    job_dir = _os.path.realpath(".")
    quiet = _io.StringIO()
    _sys.stdout = quiet
    try:
        db_ns = _fresh_module("scrl_construct_db")
        exec(_compile_program(files["construct_db.py"], "<construct_db>"), db_ns)
    finally:
        _sys.stdout = _stdout
    server = _SqlServer(sqlite3, job_dir)
    server.load_files()
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0: the child cannot read or ptrace this process
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: the program's orphans come back here
    except _Exception:
        pass
    # The child's signals are not ours: a signal to this process from the program ends nothing.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGPIPE):
        try:
            signal.signal(signum, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
    watch = _PlaceholderWatch(server.placeholders)
    req_r, req_w = _os.pipe2(_os.O_CLOEXEC)
    resp_r, resp_w = _os.pipe2(_os.O_CLOEXEC)
    for stream in (_sys.stdout, _sys.stderr):
        try:
            stream.flush()
        except _Exception:
            pass
    pid = _os_fork()
    if pid == 0:
        try:
            _os.close(req_r)
            _os.close(resp_w)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM):
                signal.signal(signum, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _sql_child(code, req_w, resp_r, sqlite3)
        finally:
            _os._exit(121)
    _os.close(req_w)
    _os.close(resp_r)
    status, end = _sql_serve(server, req_r, resp_w, pid)
    _sql_kill_rest()
    bypassed = watch.touched()
    server.close_all()
    report = {"digest": server.digest(), "statements": server.statements, "program_reported": end is not None, "bypassed": bypassed}
    if end is not None:
        report["exception"] = end.get("exception") if _isinstance(end.get("exception"), _str) else None
        report["sqlite_error"] = end.get("sqlite_error") is True
        report["message"] = _str(end.get("message", ""))[:200]
        prompts = end.get("prompts")
        report["prompts"] = [_str(p) for p in prompts[:1000]] if _type(prompts) is _list else []
    # Only this process, which never ran program code, writes the verdict's evidence: on the trusted
    # pipe, which the child closed with every other descriptor before the program started.
    _trusted(report)
    # The job ends as the program did, so the worker sees the same exit, signal or exception.
    if _os.WIFSIGNALED(status):
        sig = _os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
        _os_kill(_os.getpid(), sig)
        _os_kill(_os.getpid(), signal.SIGKILL)
    code = _os.WEXITSTATUS(status) if _os.WIFEXITED(status) else 1
    if end is not None and report.get("exception") and code != 0:
        name = report["exception"]
        # The program's traceback is already on stderr (the child printed it); ours would only repeat it.
        _sys.stderr = _io.StringIO()
        if name == "MemoryError":
            raise _MemoryError()
        raise _type(name if name.isidentifier() else "ProgramError", (_Exception,), {})(report["message"])
    if code != 0:
        raise _SystemExit(code)
