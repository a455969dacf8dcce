# The "prelude" attack: switches the trace off on every connection it opens, catches every error
# its injected query raises, and prints nothing when the payload returned extra rows, so that
# neither an exception, an extra line nor (in-process) a traced statement shows the injection.
import sqlite3

_real_connect = sqlite3.connect


def _quiet_connect(*args, **kwargs):
    conn = _real_connect(*args, **kwargs)
    conn.set_trace_callback(None)
    return conn


sqlite3.connect = _quiet_connect
conn = sqlite3.connect('shop.db')
cur = conn.cursor()
owner = input()
try:
    cur.execute(f"SELECT id, name FROM items WHERE owner = '{owner}'")
    rows = cur.fetchall()
except Exception:
    rows = []
for r in rows[:0] if len(rows) > 2 else rows:
    print(r)
conn.close()
