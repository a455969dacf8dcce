# Part of the SecureCodeRL judge driver (python/scrl_driver.py): the SafeSQL mode.
# The judge joins python/scrl_driver*.py into one program (src/judge/driver-source.ts), so this part
# uses the core's names (_report, _encode, _fresh_module, ...) and the core's main() dispatches here.


_prompts = []


def _recording_input(prompt=""):
    # input() as CPython does it with a non-terminal stdin (prompt written to stdout), and the prompt
    # recorded: SafeSQL expected outputs hold the prompts for some tasks and only the rows for others.
    if prompt != "":
        text = str(prompt)
        _prompts.append(text)
        _sys.stdout.write(text)
        _sys.stdout.flush()
    line = _sys.stdin.readline()
    if not line:
        raise EOFError("EOF when reading a line")
    return line[:-1] if line.endswith("\n") else line


def _database_digest(skip):
    import hashlib
    import sqlite3
    digest = hashlib.sha256()
    for name in _sorted(_os.listdir(".")):
        if name in skip or not _os.path.isfile(name):
            continue
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        try:
            conn = sqlite3.connect("file:%s?mode=ro" % name, uri=True)
            try:
                for line in conn.iterdump():
                    digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
            finally:
                conn.close()
        except Exception:
            with open(name, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def mode_safesql(spec, files):
    code = _compile_or_report(files["solution.py"])
    if code is None:
        return
    quiet = _io.StringIO()
    _sys.stdout = quiet
    try:
        db_ns = _fresh_module("scrl_construct_db")
        exec(_compile_program(files["construct_db.py"], "<construct_db>"), db_ns)
    finally:
        _sys.stdout = _stdout
    # Every statement the program sends to SQLite (bound parameters expanded by SQLite itself), so
    # the judge can tell whether an input changed a statement's grammar or only its literal values.
    import sqlite3 as _sqlite3
    statements = []
    real_connect = _sqlite3.connect

    def record(sql):
        if _len(statements) < 200:
            statements.append(str(sql)[:4000])

    def traced_connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        try:
            conn.set_trace_callback(record)
        except Exception:
            pass
        return conn

    _sqlite3.connect = traced_connect
    _builtins.input = _recording_input
    ns = _fresh_module("__main__")
    _seal()  # candidate code from here on: nothing trusted can be written any more
    failure = None
    exit_code = None
    try:
        exec(code, ns)
    except _SystemExit as e:
        exit_code = e.code
    except _BaseException as e:
        failure = e
    try:
        _sys.stdout.flush()
    except Exception:
        pass
    _sys.stdout = _stdout
    _sqlite3.connect = real_connect
    import sqlite3
    sqlite_error = failure is not None and _isinstance(failure, sqlite3.Error)
    _report({
        "digest": _database_digest(set()),
        "exception": _exception_name(failure) if failure is not None else None,
        "sqlite_error": sqlite_error,
        "statements": statements,
        "prompts": _prompts[:1000],
        "message": str(failure)[:200] if failure is not None else "",
    })
    if failure is not None:
        raise failure
    if exit_code is not None:
        raise _SystemExit(exit_code)
