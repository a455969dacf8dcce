"""CPython's syntax verdict, the oracle for `npm run accept:syntax` and its CI test.

Reads JSON lines on stdin, each {"path": FILE} or {"source": TEXT}; writes one JSON line per input,
in order: {"ok": true} or {"ok": false, "error": "SyntaxError: ..."}. The verdict is compile() on
the file's bytes (the encoding cookie, BOM and NUL checks included), as `python -m py_compile`
decides it: valid exactly when CPython would run the file.
"""
import json
import sys
import warnings

# A file's own SyntaxWarnings (invalid escape sequences, "is" with a literal) are not errors.
warnings.simplefilter("ignore")

for line in sys.stdin:
    if not line.strip():
        continue
    item = json.loads(line)
    try:
        if "path" in item:
            with open(item["path"], "rb") as f:
                source = f.read()
        else:
            source = item["source"]
        compile(source, item.get("path", "<string>"), "exec", dont_inherit=True)
        verdict = {"ok": True}
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError) as err:
        verdict = {"ok": False, "error": f"{type(err).__name__}: {err}"}
    sys.stdout.write(json.dumps(verdict) + "\n")
    sys.stdout.flush()
