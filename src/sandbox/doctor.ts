import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { BWRAP_INSTALL_HINT, findBwrap, findExecutable, findPython, isRoot, nprocLimitHolds } from "./locate.js";

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to install or enable when the check fails (or warns). */
  fix?: string;
  /** A warning does not make the report fail. */
  warning?: boolean;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

function readProcInt(path: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(path, "utf8").trim(), 10);
  } catch {
    return undefined;
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Checks everything the sandbox needs, with a real smoke run; used by `securecoderl doctor`. */
export async function checkSandbox(): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];

  let bwrapOk = false;
  try {
    const bwrap = findBwrap();
    const version = execFileSync(bwrap, ["--version"], { encoding: "utf8" }).trim();
    checks.push({ name: "bubblewrap", ok: true, detail: `${bwrap} (${version})` });
    bwrapOk = true;
  } catch (err) {
    checks.push({ name: "bubblewrap", ok: false, detail: errMessage(err), fix: BWRAP_INSTALL_HINT });
  }

  let pythonOk = false;
  try {
    const python = findPython();
    const version = execFileSync(python, ["-I", "-S", "-c", "import sys; print(sys.version.split()[0])"], { encoding: "utf8" }).trim();
    checks.push({ name: "python", ok: true, detail: `${python} (Python ${version})` });
    pythonOk = true;
  } catch (err) {
    checks.push({ name: "python", ok: false, detail: errMessage(err), fix: "install the system interpreter: `apt-get install python3`" });
  }

  const maxNs = readProcInt("/proc/sys/user/max_user_namespaces");
  const unprivClone = readProcInt("/proc/sys/kernel/unprivileged_userns_clone");
  const apparmorRestrict = readProcInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  const nsProblems: string[] = [];
  const nsFixes: string[] = [];
  if (maxNs === 0) {
    nsProblems.push("user.max_user_namespaces is 0");
    nsFixes.push("`sysctl -w user.max_user_namespaces=15000`");
  }
  if (unprivClone === 0) {
    nsProblems.push("kernel.unprivileged_userns_clone is 0");
    nsFixes.push("`sysctl -w kernel.unprivileged_userns_clone=1`");
  }
  if (apparmorRestrict === 1) {
    nsProblems.push("AppArmor restricts unprivileged user namespaces");
    nsFixes.push("`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile allowing userns for bwrap");
  }
  checks.push({
    name: "user namespaces",
    ok: nsProblems.length === 0,
    detail: nsProblems.length ? nsProblems.join("; ") : `enabled (max_user_namespaces=${maxNs ?? "unknown"})`,
    ...(nsFixes.length ? { fix: nsFixes.join(" and ") } : {}),
  });

  const root = isRoot();
  if (root) {
    const setpriv = findExecutable("setpriv");
    checks.push(
      setpriv
        ? { name: "uid switch", ok: true, detail: `running as root: each worker drops to its own uid with ${setpriv}` }
        : { name: "uid switch", ok: false, detail: "running as root but setpriv is missing, so RLIMIT_NPROC would not hold", fix: "`apt-get install util-linux`" },
    );
  } else if (nprocLimitHolds()) {
    checks.push({
      name: "uid switch",
      ok: true,
      detail: `not root: workers run as your uid inside their own user namespace, where this kernel (${release()}) counts RLIMIT_NPROC per namespace, so the process limit still holds`,
    });
  } else {
    checks.push({
      name: "uid switch",
      ok: true,
      warning: true,
      detail: `not root, and kernel ${release()} (< 5.14) counts RLIMIT_NPROC over all your processes, so it is not set: fork bombs are bounded by the pid namespace and the time limit only`,
      fix: "run as root (e.g. in a container) for a per-worker uid with an enforced process limit, or use Linux 5.14 or later",
    });
  }

  if (bwrapOk && pythonOk) {
    await smokeRun(checks);
  } else {
    checks.push({ name: "sandbox smoke run", ok: false, detail: "skipped: bubblewrap or python missing", fix: "fix the checks above" });
  }
  return { ok: checks.every((c) => c.ok), checks };
}

const SMOKE_PROGRAM = `
import json, os, socket, sys
report = {"python": sys.version.split()[0], "uid": os.getuid()}
try:
    import numpy
    report["numpy"] = numpy.__version__
except Exception as exc:
    report["numpy_error"] = repr(exc)
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1)
    s.connect(("127.0.0.1", 9))
    report["network"] = "reachable"
except OSError as exc:
    report["network"] = "blocked: " + type(exc).__name__
report["home_visible"] = os.path.exists("/root") or os.path.exists("/home")
print(json.dumps(report))
`;

const NPROC_PROGRAM = `
import os, time
children, error = [], None
for _ in range(200):
    try:
        pid = os.fork()
    except OSError as exc:
        error = exc.errno
        break
    if pid == 0:
        time.sleep(5)
        os._exit(0)
    children.append(pid)
print(len(children), error)
`;

async function smokeRun(checks: DoctorCheck[]): Promise<void> {
  const { SandboxPool } = await import("./pool.js");
  let pool: InstanceType<typeof SandboxPool> | undefined;
  try {
    pool = new SandboxPool({ jobs: 1 });
    const r = await pool.run({ code: SMOKE_PROGRAM, limits: { timeoutMs: 10_000 } });
    if (r.status !== "ok" || r.exit_code !== 0) {
      checks.push({
        name: "sandbox smoke run",
        ok: false,
        detail: `status ${r.status}: ${r.stderr.trim().slice(0, 800)}`,
        fix: "check the user namespace settings above; run `bwrap --unshare-all --ro-bind /usr /usr --symlink usr/lib64 /lib64 -- /usr/bin/true` to see bubblewrap's own error",
      });
      return;
    }
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    checks.push({ name: "sandbox smoke run", ok: true, detail: `Python ${String(info.python)} ran in bubblewrap as uid ${String(info.uid)} in ${r.wall_ms.toFixed(1)} ms` });
    checks.push(
      info.numpy
        ? { name: "numpy in sandbox", ok: true, detail: `numpy ${String(info.numpy)}` }
        : { name: "numpy in sandbox", ok: false, detail: String(info.numpy_error), fix: "`apt-get install python3-numpy`" },
    );
    checks.push(memoryMechanism());
    const isolated = String(info.network).startsWith("blocked") && info.home_visible === false;
    checks.push({ name: "isolation", ok: isolated, detail: `network ${String(info.network)}; /root or /home visible: ${String(info.home_visible)}` });
    if (nprocLimitHolds()) {
      const limit = 16;
      const n = await pool.run({ code: NPROC_PROGRAM, limits: { maxProcesses: limit, timeoutMs: 10_000 } });
      const [count] = n.stdout.trim().split(" ");
      const forked = Number(count);
      // The job itself counts, so limit-1 children; one more when a previous job's process was
      // still exiting as the job started (the worker reaps those lazily).
      const held = n.status === "ok" && Number.isFinite(forked) && forked <= limit;
      checks.push({
        name: "process limit",
        ok: held,
        detail: held ? `RLIMIT_NPROC=${limit} held: fork failed after ${forked} children` : `RLIMIT_NPROC=${limit} did not hold (status ${n.status}, output ${JSON.stringify(n.stdout.trim())})`,
        ...(held ? {} : { fix: isRoot() ? "make sure setpriv works (util-linux) and the kernel enforces RLIMIT_NPROC for non-root uids" : "run as root for a per-worker uid, or use Linux 5.14 or later" }),
      });
    }
  } catch (err) {
    checks.push({ name: "sandbox smoke run", ok: false, detail: errMessage(err) });
  } finally {
    await pool?.close();
  }
}

/**
 * Which mechanism bounds a job's memory here (python/scrl_worker_limits.py). The sandbox does not
 * place jobs in cgroups: what holds is a mechanism per kind of allocation, and the report names
 * each, and whether cgroup v2 (one mechanism for all of them) is present.
 */
function memoryMechanism(): DoctorCheck {
  const cgroup2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
  return {
    name: "memory limit",
    ok: true,
    detail:
      "RLIMIT_DATA per job (heap, private mappings, thread stacks); RLIMIT_AS per job (every mapping, shared " +
      "anonymous ones and attached SysV segments included, plus 192 MiB for malloc arenas and libraries); " +
      "memfd_create denied (seccomp); SysV segments summed by the worker while the job runs; RLIMIT_FSIZE per file; " +
      "tmpfs caps (/tmp 256 MiB, /dev/shm 64 MiB, not part of --memory); SysV and POSIX IPC purged after every job. " +
      (cgroup2 ? "cgroup v2 is mounted at /sys/fs/cgroup but not used by the sandbox yet" : "cgroup v2 is not available here (/sys/fs/cgroup is not a cgroup2 mount)"),
  };
}
