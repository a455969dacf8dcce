"""Part of the sandbox worker (python/scrl_worker.py): returning the sandbox to the state no job ever
touched. The scratch directories, POSIX queues, every SysV object of the worker's private IPC
namespace and the per-uid keyrings; a worker that cannot be verified clean is replaced, never reused."""

import ctypes
import os
import platform

_libc = ctypes.CDLL(None, use_errno=True)

SCRATCH_DIRS = ("/tmp", "/dev/shm", "/dev/mqueue")
HOIST_DEPTH = 48


class WorkerUnclean(Exception):
    """A job left state the worker could not remove; the worker must be replaced, never reused."""


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


KEYCTL_SYSCALL = {"x86_64": 250, "aarch64": 219}.get(platform.machine(), -1)
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_CLEAR = 1, 7
KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = -4, -5


def keyctl(op, a=0, b=0):
    try:
        return _libc.syscall(KEYCTL_SYSCALL, op, a, b, 0, 0)
    except Exception:
        return -1


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
