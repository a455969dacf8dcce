import { lstatSync, readlinkSync } from "node:fs";

/** Where the driver directory appears inside the sandbox. */
export const DRIVER_MOUNT = "/opt/scrl";
/** Size of each worker's private tmpfs (the only writable place); bounds disk-fill attacks. */
export const TMPFS_BYTES = 256 * 1024 * 1024;
/** /dev/shm (POSIX shared memory, multiprocessing locks), wiped between jobs like /tmp. */
export const SHM_BYTES = 64 * 1024 * 1024;

export interface WorkerCommandOptions {
  bwrap: string;
  python: string;
  driverDir: string;
  /** Dedicated non-root uid for this worker slot (root only); undefined skips the uid switch. */
  uid?: number;
  setpriv?: string;
}

/**
 * Top-level entries that are links into /usr on merged-/usr systems; reproduced as links so the
 * interpreter's hard-coded paths (/lib64/ld-linux..., /bin/sh) resolve. Real directories are bound
 * read-only instead.
 */
function rootLinks(): string[] {
  const args: string[] = [];
  for (const name of ["bin", "lib", "lib32", "lib64", "sbin"]) {
    const p = `/${name}`;
    try {
      const st = lstatSync(p);
      if (st.isSymbolicLink()) args.push("--symlink", readlinkSync(p), p);
      else if (st.isDirectory()) args.push("--ro-bind", p, p);
    } catch {
      // absent on this system
    }
  }
  return args;
}

/** argv (program first) that starts one warm worker inside bubblewrap. */
export function workerCommand(o: WorkerCommandOptions): string[] {
  return sandboxedPythonCommand(o, ["-I", "-S", `${DRIVER_MOUNT}/scrl_worker.py`]);
}

/** argv that runs `python <pythonArgs>` under exactly the workers' isolation (benchmarks use it as the naive baseline). */
export function sandboxedPythonCommand(o: WorkerCommandOptions, pythonArgs: string[]): string[] {
  const bwrapArgs = [
    "--unshare-all",
    // The worker itself is the pid namespace's init: the kernel then drops SIGKILL/SIGSTOP sent to it
    // from inside the namespace, so a job can neither kill nor freeze its worker, and kill(-1) from
    // a job spares it. No bwrap init holds our control pipes inside the namespace either.
    "--as-pid-1",
    // No nested user namespaces: a job cannot regain capabilities (mounts, new pid namespaces) inside.
    "--unshare-user",
    "--disable-userns",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    "--setenv", "PATH", "/usr/bin:/bin",
    "--setenv", "LANG", "C.UTF-8",
    "--setenv", "HOME", "/tmp",
    "--setenv", "TMPDIR", "/tmp",
    // OpenBLAS otherwise reserves per-core thread buffers that would count against the memory limit.
    "--setenv", "OPENBLAS_NUM_THREADS", "1",
    "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
    "--ro-bind", "/usr", "/usr",
    ...rootLinks(),
    // Shared-library resolution only (ld.so cache, BLAS alternatives links); nothing else of /etc.
    "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
    "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
    "--proc", "/proc",
    "--dev", "/dev",
    "--size", String(TMPFS_BYTES), "--tmpfs", "/tmp",
    "--size", String(SHM_BYTES), "--tmpfs", "/dev/shm",
    // POSIX message queues of the worker's private IPC namespace, visible so the worker can wipe them between jobs.
    "--mqueue", "/dev/mqueue",
    "--ro-bind", o.driverDir, DRIVER_MOUNT,
    // Last, after every mount point exists: bwrap's root and /dev are tmpfs mounts; read-only, or a job could stash files there that
    // survive into the next job, or fill memory outside the size-capped /tmp.
    "--remount-ro", "/dev",
    "--remount-ro", "/",
    "--chdir", "/tmp",
    "--",
    o.python, ...pythonArgs,
  ];
  if (o.uid !== undefined && o.setpriv) {
    return [o.setpriv, `--reuid=${o.uid}`, `--regid=${o.uid}`, "--clear-groups", "--", o.bwrap, ...bwrapArgs];
  }
  return [o.bwrap, ...bwrapArgs];
}
