# Part of the SecureCodeRL judge driver (python/scrl_driver.py): the SafeSQL mode's program side,
# the forked child that runs the program with a `sqlite3` that only forwards each call to the
# server (python/scrl_driver_safesql.py, which says why). The judge joins python/scrl_driver*.py
# into one program (src/judge/driver-source.ts), so this part uses the core's and the server's names.

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
    _finish_like_interpreter()
    try:
        end["prompts"] = [_str(p) for p in end["prompts"][:1000]]
        data = _dumps(end).encode("utf-8", "surrogatepass")
        data = _len(data).to_bytes(4, "big") + data
        while data:
            data = data[_os.write(req_w, data):]
    except _BaseException:
        pass
    _os._exit(exit_code)


