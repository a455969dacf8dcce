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
IPC_SHM_INFO, IPC_MSG_INFO, IPC_SEM_INFO = 14, 12, 19


class _ShmInfo(ctypes.Structure):
    _fields_ = [("used_ids", ctypes.c_int), ("shm_tot", ctypes.c_ulong), ("shm_rss", ctypes.c_ulong),
                ("shm_swp", ctypes.c_ulong), ("swap_attempts", ctypes.c_ulong), ("swap_successes", ctypes.c_ulong)]


class _MsgInfo(ctypes.Structure):
    _fields_ = [(name, ctypes.c_int) for name in ("msgpool", "msgmap", "msgmax", "msgmnb", "msgmni", "msgssz", "msgtql")] + [("msgseg", ctypes.c_ushort)]


class _SemInfo(ctypes.Structure):
    _fields_ = [(name, ctypes.c_int) for name in ("semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume", "semusz", "semvmx", "semaem")]


_SHM_INFO, _MSG_INFO, _SEM_INFO = _ShmInfo(), _MsgInfo(), _SemInfo()
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def sysv_counts():
    """(segments, queues, semaphore sets) in this IPC namespace, one syscall each (SHM_INFO, MSG_INFO,
    SEM_INFO count the namespace's objects), or None if the kernel refuses: then the /proc tables
    are read. After nearly every job all three are 0 and no table is read."""
    try:
        if _libc.shmctl(0, IPC_SHM_INFO, ctypes.byref(_SHM_INFO)) < 0:
            return None
        if _libc.msgctl(0, IPC_MSG_INFO, ctypes.byref(_MSG_INFO)) < 0:
            return None
        if _libc.semctl(0, 0, IPC_SEM_INFO, ctypes.byref(_SEM_INFO)) < 0:
            return None
    except Exception:
        return None
    return _SHM_INFO.used_ids, _MSG_INFO.msgpool, _SEM_INFO.semusz


def sysv_shm_resident_bytes():
    """Resident bytes of every SysV segment of the worker's private IPC namespace (all the job's):
    SHM_INFO's shm_rss (the kernel sums the namespace's segments), else /proc/sysvipc/shm's rss
    column summed. Read every 20 ms while a job runs, so one syscall instead of a /proc file."""
    try:
        if _libc.shmctl(0, IPC_SHM_INFO, ctypes.byref(_SHM_INFO)) >= 0:
            return _SHM_INFO.shm_rss * PAGE_BYTES
    except Exception:
        pass
    total = 0
    try:
        with open("/proc/sysvipc/shm") as f:
            lines = f.readlines()[1:]
    except OSError:
        return 0
    for line in lines:
        fields = line.split()
        if len(fields) > 14:
            try:
                total += int(fields[14])
            except ValueError:
                pass
    return total


def sysv_ids(table):
    try:
        with open(table) as f:
            return [int(line.split()[1]) for line in f.readlines()[1:] if line.strip()]
    except (OSError, ValueError, IndexError):
        return []


def purge_sysv_ipc():
    """Remove every SysV segment, queue and semaphore set of this worker's IPC namespace (bwrap's
    --unshare-ipc makes it private to the worker, so everything in it was made by a job)."""
    counts = sysv_counts()
    if counts == (0, 0, 0):
        return  # the namespace holds nothing: no table to walk, nothing to verify
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
    counts = sysv_counts()
    left = (counts[1] or counts[2]) if counts is not None else (sysv_ids("/proc/sysvipc/msg") or sysv_ids("/proc/sysvipc/sem"))
    if left:
        raise WorkerUnclean("SysV IPC objects survived the purge")


def clean_tmp():
    """Return the worker to the state no job ever touched, or raise WorkerUnclean."""
    for root in SCRATCH_DIRS:
        try:
            entries = os.listdir(root)
            if entries == ["job"] and root == "/tmp":
                # Most jobs leave only their (empty) working directory: one rmdir instead of the
                # walk. Anything else (files, odd modes, other names) falls through to wipe_dir.
                try:
                    os.rmdir("/tmp/job")
                    entries = os.listdir(root)
                except OSError:
                    pass
            if not entries:
                continue  # nothing to wipe (/dev/shm and /dev/mqueue after most jobs)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise WorkerUnclean("cannot list %s: %r" % (root, exc))
        try:
            wipe_dir(root)
        except (OSError, RecursionError) as exc:
            raise WorkerUnclean("cannot wipe %s: %r" % (root, exc))
        if os.listdir(root):
            raise WorkerUnclean("%s is not empty after the wipe" % root)
    purge_sysv_ipc()
    clear_keyrings()
