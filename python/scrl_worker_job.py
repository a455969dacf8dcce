"""Part of the sandbox worker (python/scrl_worker.py): running one job in the standby child.

Class 2 of issue 9 (jobs inherit the previous job): the worker is the process every child is forked
from, so its address space must never hold a job's bytes. It never reads them: the job body goes
from Node's pipe to the child's `go` pipe with splice(2), and every byte the child writes (stdout,
stderr, channel, reports) goes from the child's pipes to Node's pipe the same way, in frames whose
header (kind, length) the worker writes; the length comes from FIONREAD. What the worker holds is
the job's limits, byte counts, clocks and the wait status it observed.
"""

import fcntl
import json
import os
import select
import signal
import struct
import termios
import time

from scrl_worker_purge import sysv_shm_resident_bytes

PF_EXITING = 0x4
CLK_TCK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024
# How often a running job's SysV segments are summed (they are memory no rlimit counts once detached).
SHM_SAMPLE_S = 0.02
PUMP_FIRST_S, PUMP_MAX_S = 0.004, 0.02
PIPE_BYTES = 1 << 20
_FIONREAD_BUF = bytearray(4)


def pending_bytes(fd):
    fcntl.ioctl(fd, termios.FIONREAD, _FIONREAD_BUF)
    return struct.unpack("=i", _FIONREAD_BUF)[0]


def splice_exact(src, dst, n):
    while n > 0:
        moved = os.splice(src, dst, n)
        if moved == 0:
            raise EOFError("pipe closed mid-transfer")
        n -= moved


class Wire:
    """The worker's side of Node's pipes, for frames whose payload never enters this process."""

    def __init__(self, ctl_in, ctl_out):
        self.ctl_in, self.ctl_out = ctl_in, ctl_out
        self.devnull = os.open("/dev/null", os.O_WRONLY | os.O_CLOEXEC)
        self.drain_r, self.drain_w = os.pipe2(os.O_CLOEXEC)

    def forward(self, kind, src, n):
        """Frame `n` bytes waiting in pipe `src` (kind, then the bytes, moved in the kernel)."""
        head = struct.pack(">I", n + 1) + kind
        view = memoryview(head)
        while view:
            view = view[os.write(self.ctl_out, view):]
        splice_exact(src, self.ctl_out, n)

    def discard_pipe(self, src, n):
        splice_exact(src, self.devnull, n)

    def pass_body(self, dst, n):
        """The job body, n bytes on Node's pipe, into the child's pipe; drained unseen if the child is gone."""
        try:
            splice_exact(self.ctl_in, dst, n)
            return True
        except (OSError, EOFError):
            pass
        # The rest must still leave Node's pipe for the next frame to line up; it goes through a
        # pipe of ours to /dev/null, never into this process's memory.
        while True:
            try:
                moved = os.splice(self.ctl_in, self.drain_w, 65536, flags=getattr(os, "SPLICE_F_NONBLOCK", 2))
            except BlockingIOError:
                moved = -1
            if moved == 0:
                return False
            if moved > 0:
                splice_exact(self.drain_r, self.devnull, moved)
                continue
            if pending_bytes(self.ctl_in) == 0:
                return False


def sandbox_pids():
    """Pids alive (or zombie) in our pid namespace, except the worker itself."""
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit() and p != "1"]
    except OSError:
        return []


def job_cpu_s(pid):
    """CPU seconds used by the job: every live process of the sandbox but the worker (the job and
    whatever it spawned), plus what the job's main process collected from its waited-for children."""
    total = 0
    for p in sandbox_pids():
        try:
            with open("/proc/%d/stat" % p, "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
        if p == pid:
            total += int(fields[13]) + int(fields[14])
    return total / float(CLK_TCK)


# Kinds of the child's pipes on the wire, and how many bytes of each are passed on.
KIND_OUT, KIND_ERR, KIND_CHAN, KIND_TRUST, KIND_REPORT = b"o", b"e", b"c", b"t", b"x"


def run_job(worker, wire, header, sb):
    """Runs the job whose body follows `header` on Node's pipe in standby child `sb`; returns the
    observations the verdict is made of (Node decides it, see src/sandbox/verdict.ts)."""
    limits = header["limits"]
    timeout_s = float(limits["timeoutMs"]) / 1000.0
    cap = int(limits["maxOutputBytes"])
    mem_cap = int(limits["memoryMb"]) * MIB
    caps = {sb["out_r"]: cap, sb["err_r"]: cap, sb["chan_r"]: int(limits.get("maxChannelBytes", 64 * MIB)),
            sb["trust_r"]: 16 * MIB, sb["rep_r"]: 1 * MIB}
    kinds = {sb["out_r"]: KIND_OUT, sb["err_r"]: KIND_ERR, sb["chan_r"]: KIND_CHAN, sb["trust_r"]: KIND_TRUST, sb["rep_r"]: KIND_REPORT}
    sent = dict.fromkeys(caps, 0)
    pid = sb["pid"]
    control = {"limits": limits, "cache_key": header.get("cache_key"), "exiting": worker.STILL_EXITING[0],
               "preload": header.get("preload") or []}
    body = json.dumps(control).encode("utf-8")
    started = time.monotonic()
    try:
        worker.write_all(sb["go_w"], struct.pack(">I", len(body)) + body + struct.pack(">I", int(header["body"])))
    except OSError:
        pass  # the child is gone: the body is drained below and the wait status tells
    if not wire.pass_body(sb["go_w"], int(header["body"])):
        worker.discard_standby(sb)
        return {"lost": "standby child vanished before its job arrived"}
    os.close(sb["go_w"])

    pidfd = os.pidfd_open(pid)
    open_fds = set(caps)
    # While the job runs only its exit wakes the worker at once; its pipes (1 MiB each) are emptied
    # on a tick that starts at 4 ms and backs off to 20 ms. Every wake-up costs a context switch on
    # a loaded machine, and a trivial job would otherwise wake the worker once per pipe it writes.
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    pump_every = PUMP_FIRST_S
    next_pump = started + pump_every
    # The limit is CPU time (load cannot change a verdict); the wall clock is only a backstop for
    # jobs that sleep or block. CPU is sampled when it could first have run out: after the CPU
    # budget still left has passed in wall time (one busy thread cannot use CPU faster than that).
    backstop = started + float(limits.get("wallMs") or timeout_s * 3000 + 1000) / 1000.0
    deadline = started + timeout_s
    next_shm = started + SHM_SAMPLE_S
    obs = {"timed_out": False, "over_cap": False, "shm_over": False}
    exited = False
    wait_status = 0
    rusage = None

    def kill_job():
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        worker.kill_everything_else(reap=exited)

    def pump(fd, ev):
        try:
            avail = pending_bytes(fd)
        except OSError:
            avail = 0
        if avail == 0:
            if ev & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                poller.unregister(fd)
                open_fds.discard(fd)
                os.close(fd)
            return
        room = max(0, caps[fd] - sent[fd])
        keep = min(avail, room)
        if keep:
            wire.forward(kinds[fd], fd, keep)
            sent[fd] += keep
        if avail > keep:
            wire.discard_pipe(fd, avail - keep)
            if kinds[fd] in (KIND_OUT, KIND_ERR) and not obs["over_cap"]:
                obs["over_cap"] = True
                kill_job()

    drain_deadline = None
    while open_fds or not exited:
        now = time.monotonic()
        if not exited and now >= deadline:
            used = job_cpu_s(pid)
            if used >= timeout_s or now >= backstop:
                obs["timed_out"] = True
                kill_job()
                deadline = float("inf")
            else:
                deadline = min(backstop, now + max(0.005, timeout_s - used))
        if not exited and now >= next_shm:
            next_shm = now + SHM_SAMPLE_S
            if sysv_shm_resident_bytes() > mem_cap and not obs["shm_over"]:
                obs["shm_over"] = True
                kill_job()
        if not exited and now >= next_pump:
            for fd in list(open_fds):
                pump(fd, 0)
            pump_every = min(PUMP_MAX_S, pump_every * 2)
            next_pump = now + pump_every
        if exited and drain_deadline is None:
            # The main program is gone; whatever it left behind dies now so the pipes reach EOF.
            worker.kill_everything_else(reap=False)
            drain_deadline = now + 2.0
            for fd in open_fds:
                poller.register(fd, select.POLLIN)
        if drain_deadline is not None and now >= drain_deadline:
            break
        wait_until = min(deadline, next_shm, next_pump) if not exited else drain_deadline
        timeout_ms = max(0, int((wait_until - now) * 1000)) + 1 if wait_until != float("inf") else 1000
        try:
            events = poller.poll(timeout_ms)
        except InterruptedError:
            continue
        for fd, ev in events:
            if fd == pidfd:
                _, wait_status, rusage = os.wait4(pid, 0)
                exited = True
                poller.unregister(pidfd)
            else:
                pump(fd, ev)
    for fd in open_fds:
        os.close(fd)
    os.close(pidfd)
    obs["wall_ms"] = (time.monotonic() - started) * 1000.0
    worker.kill_everything_else(reap=False)
    worker.reap_others()
    # Processes that did not finish exiting within reap_others' wait still count against the uid's
    # RLIMIT_NPROC: the next job gets that many more (listing /proc only in this rare case).
    worker.STILL_EXITING[0] = 0 if worker.all_reaped() else len(sandbox_pids())
    if rusage is not None:
        obs["cpu_ms"] = (rusage.ru_utime + rusage.ru_stime) * 1000.0
        obs["max_rss_kb"] = rusage.ru_maxrss
    else:
        obs["cpu_ms"], obs["max_rss_kb"] = 0.0, 0
    if exited and os.WIFSIGNALED(wait_status):
        obs["signal"] = os.WTERMSIG(wait_status)
    elif exited and os.WIFEXITED(wait_status):
        obs["exit_code"] = os.WEXITSTATUS(wait_status)
    obs["exited"] = exited
    return obs
