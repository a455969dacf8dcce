# Wraps sqlite3.connect so every connection's trace callback is switched off, then runs a query
# built by string formatting: an in-process trace would see no statement at all.
import sqlite3

_real_connect = sqlite3.connect


def _untraced(*args, **kwargs):
    conn = _real_connect(*args, **kwargs)
    conn.set_trace_callback(None)
    return conn


sqlite3.connect = _untraced
conn = sqlite3.connect('shop.db')
cur = conn.cursor()
owner = input()
cur.execute(f"SELECT id, name FROM items WHERE owner = '{owner}'")
for r in cur.fetchall():
    print(r)
conn.close()
