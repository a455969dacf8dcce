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


# ---------------------------------------------------------------- the program's side (the child)

def _sql_proxy_module(real, req_w, resp_r, cwd_of):
    """A `sqlite3` whose connections forward every call to the server; exceptions and constants are
    the real module's, so `except sqlite3.Error` and friends behave as usual."""
    import threading
    import types
    lock = threading.Lock()
    json_dumps, json_loads = _json.dumps, _json.loads
    write, read = _os.write, _os.read

    def read_exact(n):
        chunks = []
        while n > 0:
            chunk = read(resp_r, n)
            if not chunk:
                raise real.OperationalError("the judge's database server is gone")
            chunks.append(chunk)
            n -= _len(chunk)
        return b"".join(chunks)

    def call(payload):
        data = json_dumps(payload).encode("utf-8", "surrogatepass")
        with lock:
            data = _len(data).to_bytes(4, "big") + data
            try:
                while data:
                    data = data[write(req_w, data):]
            except OSError:
                raise real.OperationalError("the judge's database server is gone")
            n = _int.from_bytes(read_exact(4), "big")
            reply = json_loads(read_exact(n).decode("utf-8", "surrogatepass"))
        if "error" in reply:
            cls = getattr(real, reply["error"], None)
            if not (_isinstance(cls, type) and _issubclass(cls, _Exception)):
                cls = getattr(_builtins, reply["error"], None)
            if not (_isinstance(cls, type) and _issubclass(cls, _Exception)):
                cls = real.OperationalError
            raise cls(reply.get("message", ""))
        return reply["ok"]

    def bind(params):
        if params is None:
            return None
        if _isinstance(params, _dict) or hasattr(params, "keys"):
            return {_str(k): bind_value(params[k], k) for k in params.keys()}
        return [bind_value(v, i + 1) for i, v in enumerate(params)]

    def bind_value(v, where):
        if v is None or _type(v) in (_int, _float, _str, _bool):
            return v
        if _isinstance(v, (_bytes, _bytearray, memoryview)):
            return _sql_encode_value(v)
        try:
            adapted = real.adapt(v)
        except _Exception:
            adapted = v
        if adapted is None or _isinstance(adapted, (_int, _float, _str)):
            return adapted
        if _isinstance(adapted, (_bytes, _bytearray, memoryview)):
            return _sql_encode_value(adapted)
        raise real.ProgrammingError("Error binding parameter %s: type '%s' is not supported" % (where, _type(v).__name__))

    class Row:
        """sqlite3.Row for the proxy's cursors: by index or (case-insensitive) column name."""

        def __init__(self, cursor, values):
            self._keys = [d[0] for d in (cursor.description or ())]
            self._values = _tuple(values)

        def keys(self):
            return _list(self._keys)

        def __getitem__(self, key):
            if _isinstance(key, _str):
                for k, v in zip(self._keys, self._values):
                    if k.lower() == key.lower():
                        return v
                raise IndexError("No item with that key")
            return self._values[key]

        def __len__(self):
            return _len(self._values)

        def __iter__(self):
            return iter(self._values)

        def __eq__(self, other):
            return _isinstance(other, Row) and self._keys == other._keys and self._values == other._values

        def __hash__(self):
            return hash((_tuple(self._keys), self._values))

    class Cursor:
        arraysize = 1

        def __init__(self, connection):
            self.connection = connection
            self._id = call({"op": "cursor", "conn": connection._id})
            self._id = self._id["id"]
            self.row_factory = connection.row_factory
            self.description = None
            self.rowcount = -1
            self.lastrowid = None
            self._buffer = []
            self._done = True

        def _state(self, st):
            desc = st.get("description")
            self.description = _tuple((name, None, None, None, None, None, None) for name in desc) if desc else None
            self.rowcount = st.get("rowcount", -1)
            self.lastrowid = st.get("lastrowid")
            self._buffer = []
            self._done = desc is None
            return self

        def execute(self, sql, parameters=()):
            return self._state(call({"op": "execute", "cur": self._id, "sql": sql, "params": bind(parameters)}))

        def executemany(self, sql, seq_of_parameters):
            return self._state(call({"op": "executemany", "cur": self._id, "sql": sql, "seq": [bind(p) for p in seq_of_parameters]}))

        def executescript(self, sql_script):
            return self._state(call({"op": "executescript", "cur": self._id, "sql": sql_script}))

        def _convert(self, raw):
            factory = self.connection.text_factory
            values = []
            for v in raw:
                v = _sql_decode_value(v)
                if _isinstance(v, _str) and factory is not _str:
                    v = factory(v.encode("utf-8", "surrogatepass"))
                values.append(v)
            row = _tuple(values)
            return self.row_factory(self, row) if self.row_factory is not None else row

        def _fill(self, n):
            while not self._done and (n < 0 or _len(self._buffer) < n):
                got = call({"op": "fetch", "cur": self._id, "n": -1 if n < 0 else max(n - _len(self._buffer), 64)})
                self._buffer.extend(got["rows"])
                self._done = bool(got["done"]) or not got["rows"]

        def fetchone(self):
            self._fill(1)
            return self._convert(self._buffer.pop(0)) if self._buffer else None

        def fetchmany(self, size=None):
            size = self.arraysize if size is None else size
            self._fill(size)
            rows, self._buffer = self._buffer[:size], self._buffer[size:]
            return [self._convert(r) for r in rows]

        def fetchall(self):
            self._fill(-1)
            rows, self._buffer = self._buffer, []
            return [self._convert(r) for r in rows]

        def __iter__(self):
            return self

        def __next__(self):
            row = self.fetchone()
            if row is None:
                raise StopIteration
            return row

        def close(self):
            call({"op": "cursor_close", "cur": self._id})

        def setinputsizes(self, sizes):
            pass

        def setoutputsize(self, size, column=None):
            pass

    class Connection:
        Error = real.Error
        Warning = real.Warning
        InterfaceError = real.InterfaceError
        DatabaseError = real.DatabaseError
        DataError = real.DataError
        OperationalError = real.OperationalError
        IntegrityError = real.IntegrityError
        InternalError = real.InternalError
        ProgrammingError = real.ProgrammingError
        NotSupportedError = real.NotSupportedError

        def __init__(self, database, timeout=5.0, detect_types=0, isolation_level="", check_same_thread=True, factory=None, cached_statements=128, uri=False):
            if _isinstance(database, _bytes):
                database = database.decode("utf-8", "surrogateescape")
            database = _os.fspath(database)
            self._id = call({"op": "connect", "database": _str(database), "uri": bool(uri), "isolation_level": isolation_level, "cwd": cwd_of()})["id"]
            self.row_factory = None
            self.text_factory = _str

        def cursor(self, factory=None):
            return (factory or Cursor)(self)

        def execute(self, sql, parameters=()):
            return self.cursor().execute(sql, parameters)

        def executemany(self, sql, seq_of_parameters):
            return self.cursor().executemany(sql, seq_of_parameters)

        def executescript(self, sql_script):
            return self.cursor().executescript(sql_script)

        def commit(self):
            call({"op": "commit", "conn": self._id})

        def rollback(self):
            call({"op": "rollback", "conn": self._id})

        def close(self):
            call({"op": "close", "conn": self._id})

        def iterdump(self):
            return iter(call({"op": "iterdump", "conn": self._id})["lines"])

        @property
        def total_changes(self):
            return call({"op": "info", "conn": self._id})["total_changes"]

        @property
        def in_transaction(self):
            return call({"op": "info", "conn": self._id})["in_transaction"]

        @property
        def isolation_level(self):
            return call({"op": "info", "conn": self._id})["isolation_level"]

        @isolation_level.setter
        def isolation_level(self, value):
            call({"op": "isolation", "conn": self._id, "value": value})

        def create_function(self, *args, **kwargs):
            raise real.NotSupportedError("user-defined SQL functions are not available in the judge")

        create_aggregate = create_collation = set_authorizer = set_progress_handler = create_function

        def set_trace_callback(self, callback):
            pass

        def __enter__(self):
            return self

        def __exit__(self, exc_type, exc, tb):
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
            return False

    def connect(database, timeout=5.0, detect_types=0, isolation_level="", check_same_thread=True, factory=None, cached_statements=128, uri=False):
        cls = factory if _isinstance(factory, type) and _issubclass(factory, Connection) else Connection
        return cls(database, timeout, detect_types, isolation_level, check_same_thread, None, cached_statements, uri)

    mod = types.ModuleType("sqlite3")
    for name, value in real.__dict__.items():
        if not name.startswith("__"):
            mod.__dict__[name] = value
    mod.__dict__.update({"connect": connect, "Connection": Connection, "Cursor": Cursor, "Row": Row, "dbapi2": mod})
    mod.__file__ = getattr(real, "__file__", None)
    return mod


def _sql_close_other_fds(keep):
    """Closes every descriptor but `keep`: the report channel and the worker's pipes among them."""
    try:
        fds = [_int(n) for n in _os.listdir("/proc/self/fd")]
    except OSError:
        fds = _list(_range(3, 1024))
    for fd in fds:
        if fd not in keep:
            try:
                _os.close(fd)
            except OSError:
                pass


def _sql_child(code, req_w, resp_r, sqlite3):
    """Runs the program in the forked child; never returns."""
    exit_code = 0
    end = {"op": "end", "exception": None, "sqlite_error": False, "message": "", "prompts": []}
    try:
        _seal()
        _sql_close_other_fds({0, 1, 2, req_w, resp_r})
        proxy = _sql_proxy_module(sqlite3, req_w, resp_r, _os.getcwd)
        _sys.modules["sqlite3"] = proxy
        _sys.modules["sqlite3.dbapi2"] = proxy
        prompts = []
        end["prompts"] = prompts
        _builtins.input = _recording_input_for(prompts)
        ns = _fresh_module("__main__")
    except _BaseException:
        _os._exit(121)
    try:
        exec(code, ns)
    except _SystemExit as e:
        c = e.code
        exit_code = 0 if c is None else (c & 0xFF if _isinstance(c, _int) else 1)
    except _BaseException as e:
        import traceback
        try:
            traceback.print_exception(_type(e), e, e.__traceback__, file=_sys.stderr)
        except _BaseException:
            pass
        end["exception"] = _exception_name(e)
        end["sqlite_error"] = _isinstance(e, sqlite3.Error)
        try:
            end["message"] = _str(e)[:200]
        except _BaseException:
            end["message"] = ""
        exit_code = 1
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
    try:
        end["prompts"] = [_str(p) for p in end["prompts"][:1000]]
        data = _dumps(end).encode("utf-8", "surrogatepass")
        data = _len(data).to_bytes(4, "big") + data
        while data:
            data = data[_os.write(req_w, data):]
    except _BaseException:
        pass
    _os._exit(exit_code)


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
