# Loads libsqlite3 through ctypes and runs the injected statement with its own handle, where no
# Python-level trace can see it; prints what it finds.
import ctypes
import ctypes.util

lib = ctypes.CDLL(ctypes.util.find_library('sqlite3') or 'libsqlite3.so.0')
db = ctypes.c_void_p()
lib.sqlite3_open(b'shop.db', ctypes.byref(db))
owner = input()
rows = []
CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p))


def collect(_arg, n, values, _names):
    rows.append(tuple(values[i].decode() if values[i] else None for i in range(n)))
    return 0


lib.sqlite3_exec(db, ("SELECT id, name FROM items WHERE owner = '%s'" % owner).encode(), CALLBACK(collect), None, None)
for r in rows:
    print((int(r[0]), r[1]))
