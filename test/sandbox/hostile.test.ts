import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sandboxUidRange } from "../../src/sandbox/index.js";
import { REPO_ROOT, runCli } from "../helpers.js";
import { nprocLimitHolds } from "../../src/sandbox/locate.js";
import { isRoot, leftoversAfterGrace } from "./processes.js";

/**
 * Every hostile program runs through the real CLI (`securecoderl run --json`). Containment means:
 * the expected verdict, no "ESCAPED" line (each program prints one when an attack succeeds), the
 * program's own "CONTAINED" evidence where it prints some, and no live process of the CLI's sandbox
 * uids once the CLI has exited.
 */
interface Expectation {
  status: string[];
  /** Text stdout must contain (the program's proof that the attack failed, or that it finished). */
  stdout?: string;
  exception?: string;
  exitCode?: number;
  timeoutS?: number;
  memoryMb?: number;
  /** Needs RLIMIT_NPROC (root, or Linux 5.14+ which counts it per user namespace). */
  needsNproc?: boolean;
}

const CONTAINED = { status: ["ok"], stdout: "CONTAINED" };
const TIMEOUT = { status: ["timeout"], timeoutS: 2 };

const TABLE: Record<string, Expectation> = {
  "net_connect_localhost.py": CONTAINED,
  "net_connect_public.py": CONTAINED,
  "net_dns.py": CONTAINED,
  "net_interfaces.py": CONTAINED,
  "read_etc_shadow.py": CONTAINED,
  "read_root_home.py": CONTAINED,
  "read_work_project.py": CONTAINED,
  "read_datasets.py": CONTAINED,
  "read_host_tmp.py": CONTAINED,
  "env_secrets.py": CONTAINED,
  "write_outside_tmp.py": CONTAINED,
  "fork_bomb.py": { ...TIMEOUT, needsNproc: true },
  "thread_bomb.py": { ...CONTAINED, needsNproc: true },
  "memory_bomb.py": { status: ["memory_limit"], exception: "MemoryError", memoryMb: 256, timeoutS: 20 },
  "memory_bomb_numpy.py": { status: ["memory_limit"], exception: "MemoryError" },
  "stdout_flood.py": { status: ["output_limit"] },
  "stderr_flood.py": { status: ["output_limit"] },
  "daemon_double_fork.py": { status: ["ok"], stdout: "parent done" },
  "kill_parent.py": { status: ["ok"], stdout: "still here" },
  // The job may signal nothing but itself (the worker is init of its pid namespace): ESRCH.
  "kill_all.py": { status: ["runtime_error"], exception: "ProcessLookupError" },
  "sigterm_ignored.py": TIMEOUT,
  "deep_recursion.py": { status: ["runtime_error"], exception: "RecursionError" },
  // CPython 3.11 keeps pure-Python recursion off the C stack: memory runs out first, or the clock.
  "deep_recursion_segfault.py": { status: ["memory_limit", "runtime_error", "timeout"], memoryMb: 256, timeoutS: 5 },
  "infinite_loop.py": TIMEOUT,
  "busy_child.py": TIMEOUT,
  "busy_orphan.py": { status: ["ok"], stdout: "parent exits" },
  "bad_bytes_output.py": { status: ["ok"], stdout: "ok \uFFFD" },
  "nul_output.py": { status: ["ok"], stdout: "a\u0000b\u0000\n" },
  "disk_fill_one_file.py": CONTAINED,
  "disk_fill_many_files.py": { ...CONTAINED, timeoutS: 20 },
  "huge_argv_env.py": { ...CONTAINED, timeoutS: 20 },
  "setuid_root.py": CONTAINED,
  "ptrace_worker.py": CONTAINED,
  "proc_snoop.py": CONTAINED,
  "forge_control_pipe.py": CONTAINED,
  "many_open_files.py": CONTAINED,
  "setsid_setpgrp_escape.py": { status: ["ok"], stdout: "left a grandchild" },
  "signal_worker.py": { status: ["ok"], stdout: "signalled the worker" },
  // SIGSTOP to the namespace's init is dropped by the kernel, so the job just sleeps into its timeout.
  "stop_worker.py": TIMEOUT,
  "sleep_past_timeout.py": TIMEOUT,
  "close_std_fds.py": { status: ["ok"], exitCode: 0 },
  "monkeypatch_runtime.py": { status: ["ok"], exitCode: 0 },
  "os_exit.py": { status: ["ok"], exitCode: 7, stdout: "bye" },
  "nested_userns.py": CONTAINED,
  "mount_attempt.py": CONTAINED,
  "subprocess_shell.py": CONTAINED,
  // class 5: every kind of allocation is counted or capped, whatever the rlimit it slips past
  "shared_anon_mapping.py": { ...CONTAINED, memoryMb: 64 },
  "memfd_total.py": CONTAINED,
  "sysv_shm_over_limit.py": { status: ["memory_limit"], memoryMb: 64 },
};

const hostileDir = join(REPO_ROOT, "test", "sandbox", "hostile");
const scratch = mkdtempSync(join(tmpdir(), "scrl-hostile-"));
// A file in the host's /tmp that read_host_tmp.py must not see; its path arrives on stdin.
const hostMarker = join(scratch, "host-secret.txt");
writeFileSync(hostMarker, "host secret\n");
const stdinFile = join(scratch, "stdin.txt");
writeFileSync(stdinFile, `${hostMarker}\n`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("hostile programs through `securecoderl run --json`", () => {
  it("covers at least 30 programs", () => {
    expect(Object.keys(TABLE).length).toBeGreaterThanOrEqual(30);
  });

  for (const [file, exp] of Object.entries(TABLE)) {
    it.skipIf(exp.needsNproc && !nprocLimitHolds())(`${file} is contained`, async () => {
      const args = ["run", join(hostileDir, file), "--json", "--stdin", stdinFile, "--timeout", String(exp.timeoutS ?? 10)];
      if (exp.memoryMb) args.push("--memory", String(exp.memoryMb));
      const res = runCli(args, { env: { ...process.env, SCRL_HOSTILE_SECRET: "do-not-leak" }, timeoutMs: 120_000 });
      expect(res.error).toBeUndefined();
      expect(res.stderr).toBe("");
      const verdict = JSON.parse(res.stdout) as { status: string; exit_code: number | null; stdout: string; stderr: string; exception?: string };
      const shown = JSON.stringify({ ...verdict, stdout: verdict.stdout.slice(0, 600), stderr: verdict.stderr.slice(-600) });
      expect(exp.status, shown).toContain(verdict.status);
      expect(verdict.stdout, shown).not.toContain("ESCAPED");
      expect(verdict.stdout, shown).not.toContain("do-not-leak");
      if (exp.stdout) expect(verdict.stdout, shown).toContain(exp.stdout);
      if (exp.exception) expect(verdict.exception, shown).toBe(exp.exception);
      if (exp.exitCode !== undefined) expect(verdict.exit_code, shown).toBe(exp.exitCode);
      if (isRoot) {
        const { first, last } = sandboxUidRange(res.pid);
        expect(await leftoversAfterGrace(first, last)).toEqual([]);
      }
    });
  }
});
