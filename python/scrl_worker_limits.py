"""Part of the sandbox worker (python/scrl_worker.py): the per-job memory and resource limits.

Without cgroup v2 here, a job's memory is bounded by mechanisms that each cover a kind of allocation:
  RLIMIT_DATA   private writable memory (heap, anonymous private mappings, thread stacks)
  RLIMIT_AS     everything mapped, shared anonymous mappings and attached SysV segments included,
                with a fixed allowance over the limit for glibc's malloc arena reservations (capped
                at MALLOC_ARENAS) and libraries a job imports
  seccomp       memfd_create (and memfd_secret) fail with ENOSYS: a memfd is memory that no rlimit
                counts once it is unmapped, and one job could hold RLIMIT_NOFILE of them
  SysV segments the worker sums the resident size of every segment in the (private) IPC namespace
                while the job runs and kills the job past the limit (a detached segment is in no
                process's address space)
  tmpfs sizes   /tmp 256 MiB and /dev/shm 64 MiB, whatever the job's limit
"""

import ctypes
import os
import platform
import resource
import struct

MIB = 1024 * 1024
# glibc reserves 64 MiB of address space per malloc arena; two arenas bound that reservation.
MALLOC_ARENAS = 2
AS_ALLOWANCE = MALLOC_ARENAS * 64 * MIB + 64 * MIB
M_ARENA_MAX = -8


def vm_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


PAGE_BYTES = resource.getpagesize()


def vm_size_bytes():
    """The address space's size (VmSize), from the first field of /proc/self/statm: one short line
    instead of parsing /proc/self/status (every job's child reads it), through os.open/os.read:
    three syscalls where a Python file object makes eight."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        try:
            return int(os.read(fd, 256).split(None, 1)[0]) * PAGE_BYTES
        finally:
            os.close(fd)
    except (OSError, ValueError, IndexError):
        return vm_kb("VmSize:") * 1024


def limit_malloc_arenas(libc):
    try:
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except Exception:
        pass


# struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}, struct seccomp_data {int nr; u32 arch; ...}
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_ENOSYS = 38
_ARCH = {"x86_64": (0xC000003E, (319, 447)), "aarch64": (0xC00000B7, (279, 447))}


def _insn(code, jt, jf, k):
    return struct.pack("=HBBI", code, jt, jf, k)


class _FilterProgram(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def memfd_filter():
    """The seccomp program for deny_memfd, built once in the worker (it depends on nothing but the
    architecture): memfd_create/memfd_secret fail with ENOSYS, and so does every syscall of a foreign
    ABI (x32, i386), which could reach memfd_create under another number. Building it (a ctypes
    structure class and buffer) cost each child ~0.3 ms of CPU. None where the architecture is unknown."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return None
    audit_arch, denied = arch
    prog = [_insn(_LD_W_ABS, 0, 0, 4), _insn(_JEQ_K, 0, 2 + len(denied) + 1, audit_arch), _insn(_LD_W_ABS, 0, 0, 0),
            _insn(_JGE_K, len(denied) + 1, 0, 0x40000000)]
    for i, nr in enumerate(denied):
        prog.append(_insn(_JEQ_K, len(denied) - i, 0, nr))
    prog.append(_insn(_RET_K, 0, 0, _RET_ALLOW))
    prog.append(_insn(_RET_K, 0, 0, _RET_ERRNO | _ENOSYS))
    code = b"".join(prog)
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = _FilterProgram(len(prog), ctypes.addressof(buf))
    # The buffer must outlive the structure that points into it.
    return (buf, fprog, ctypes.c_ulong(ctypes.addressof(fprog)))


def deny_memfd(libc, prepared):
    """Installs the filter memfd_filter() built (in the calling process: the standby child). True when installed."""
    if prepared is None:
        return False
    u = ctypes.c_ulong
    if libc.prctl(38, u(1), u(0), u(0), u(0)) != 0:  # PR_SET_NO_NEW_PRIVS, required for an unprivileged filter
        return False
    # PR_SET_SECCOMP, SECCOMP_MODE_FILTER (the pointer as an unsigned long: ctypes would pass an int)
    return libc.prctl(22, u(2), prepared[2], u(0), u(0)) == 0


def apply_job_limits(ctx, limits, exiting, base_data_kb=None):
    mem = int(limits["memoryMb"]) * MIB
    data = (ctx.base_data_kb if base_data_kb is None else base_data_kb) * 1024 + mem
    space = vm_size_bytes() + mem + AS_ALLOWANCE
    cpu = int(limits["cpuSeconds"])
    for res, value in (
        (resource.RLIMIT_DATA, (data, data)),
        (resource.RLIMIT_AS, (space, space)),
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_FSIZE, (int(limits["maxFileBytes"]),) * 2),
        (resource.RLIMIT_NOFILE, (int(limits["maxOpenFiles"]),) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
    ):
        resource.setrlimit(res, value)
    if limits.get("enforceNproc"):
        # Inside its user namespace the uid also owns this worker and previous jobs' children still
        # being torn down; the job (itself included) gets maxProcesses (one more per such child).
        n = int(limits["maxProcesses"]) + ctx.own_processes + exiting
        resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
