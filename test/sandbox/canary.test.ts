import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers.js";

/**
 * Every hostile program added for issue 9 runs through `securecoderl verify --jobs 1`, each followed
 * by the honest canary on the SAME worker: the canary solves the task only when its job starts with
 * no files, IPC objects, keys, foreign descriptors, live processes or environment left behind.
 * Hostile programs that do not solve the task must never pass; the canary must always pass.
 */
const hostileDir = join(REPO_ROOT, "test", "sandbox", "hostile");
const canary = readFileSync(join(REPO_ROOT, "test", "sandbox", "canary", "clean_canary.py"), "utf8");

/** Programs that solve the task honestly (class 10: CPU work and short waits) and so must pass. */
const HONEST = new Set(["cpu_bound_exact.py", "sleep_within_cpu.py"]);
const PROGRAMS = [
  // class 3: IPC, keyrings, scratch-directory state
  "sysv_shm_leave.py", "probe_previous_sysv.py", "sysv_msg_leave.py", "sysv_sem_leave.py", "probe_previous_sysv.py",
  "posix_mq_leave.py", "probe_previous_mqueue.py", "keyring_leave.py", "probe_previous_keys.py",
  "keyring_named_session.py", "keyring_named_session.py", "deep_dir_chain.py", "probe_previous_files.py",
  "deep_dir_chain_shm.py", "unreadable_dirs.py", "wide_directory.py", "fifo_socket_leave.py", "hidden_dotfiles.py",
  "chdir_worker_tmp.py", "sysv_shm_exhaust.py", "mqueue_fill.py", "abstract_socket_listener.py",
  "abstract_socket_listener.py", "daemon_holds_shm.py", "probe_previous_sysv.py", "env_mutation.py", "env_mutation.py",
  // class 4: descriptors
  "inherited_fds.py", "write_inherited_fds.py", "fd_count.py", "dup_to_high_fd.py",
  // class 2: a previous job's bytes (the canary's input, its code) are never in the next job's memory
  "probe_previous_job_mem.py", "probe_previous_job_heap.py", "probe_previous_job_malloc.py",
  // class 5: limits
  "rlimit_raise.py", "memfd_many.py", "memfd_total.py", "shared_anon_mapping.py", "sysv_shm_over_limit.py",
  // class 6: forged exit reports (right answer, then a hang or a signal)
  "print_then_hang_forged_report.py", "print_then_hang.py", "print_then_spin_thread.py", "forge_report_then_exit.py",
  // class 9 and 10
  "many_files_slow_exit.py", "cpu_bound_exact.py", "sleep_within_cpu.py",
];

const scratch = mkdtempSync(join(tmpdir(), "scrl-canary-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface SampleResult { sample_index: number; passed: number; total: number; tests: Array<{ status: string; detail?: string }> }

describe("hostile program, then an honest canary on the same worker (`verify --jobs 1`)", () => {
  it("every new hostile program is covered here", () => {
    const covered = new Set(PROGRAMS);
    const added = readdirSync(hostileDir).filter((f) => f.endsWith(".py"));
    expect(added.length).toBeGreaterThanOrEqual(80);
    for (const f of covered) expect(added).toContain(f);
  });

  it("no hostile program passes unearned, and every canary after one passes", () => {
    const tasks = join(scratch, "tasks.jsonl");
    writeFileSync(tasks, JSON.stringify({ problem_id: 1, question: "Print 2n.", solutions: [], starter_code: "", difficulty: "introductory", input_output: { inputs: ["3\n", "21\n"], outputs: ["6\n", "42\n"] } }) + "\n");
    const samples = join(scratch, "samples.jsonl");
    const lines: string[] = [];
    for (const file of PROGRAMS) {
      lines.push(JSON.stringify({ task_id: "1", completion: readFileSync(join(hostileDir, file), "utf8") }));
      lines.push(JSON.stringify({ task_id: "1", completion: canary }));
    }
    writeFileSync(samples, lines.join("\n") + "\n");
    const out = join(scratch, "out.jsonl");
    const res = runCli(["verify", "--tasks", tasks, "--dataset", "apps", "--samples", samples, "--out", out, "--jobs", "1", "--timeout", "2"], { timeoutMs: 600_000 });
    expect(res.status, res.stderr).toBe(0);
    const results = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as SampleResult);
    expect(results).toHaveLength(lines.length);
    results.forEach((r, i) => {
      const file = PROGRAMS[Math.floor(i / 2)]!;
      const shown = `${i % 2 ? `canary after ${file}` : file}: ${JSON.stringify(r.tests).slice(0, 400)}`;
      if (i % 2 === 1 || HONEST.has(file)) expect(r.passed, shown).toBe(r.total);
      else expect(r.passed, shown).toBeLessThan(r.total);
      for (const t of r.tests) expect(t.status, shown).not.toBe("sandbox_error");
    });
  });
});

describe("class 4: a descriptor the launching process holds open never reaches a job", () => {
  it.each(["inherited_fds.py", "write_inherited_fds.py"])("%s sees no host file on fd 20+", (file) => {
    const hostFile = join(scratch, `host-${file}.txt`);
    writeFileSync(hostFile, "host-fd-secret\n");
    const fd = openSync(hostFile, "r+");
    try {
      // fds 3..19 unused, the host file on fd 20 and 27 of the CLI, without close-on-exec.
      const stdio: Array<"pipe" | "ignore" | number> = ["pipe", "pipe", "pipe"];
      for (let i = 3; i < 28; i++) stdio.push(i === 20 || i === 27 ? fd : "ignore");
      const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "securecoderl.js"), "run", join(hostileDir, file), "--json"], { cwd: REPO_ROOT, encoding: "utf8", stdio, timeout: 120_000, env: { ...process.env, SCRL_FD_SECRET: "host-fd-secret" } });
      expect(res.status, res.stderr).toBe(0);
      const verdict = JSON.parse(res.stdout) as { status: string; stdout: string };
      expect(verdict.stdout).toContain("CONTAINED");
      expect(verdict.stdout).not.toContain("ESCAPED");
      expect(readFileSync(hostFile, "utf8")).toBe("host-fd-secret\n");
    } finally {
      closeSync(fd);
    }
  });
});

describe("class 6 and 9 through `securecoderl run`", () => {
  it("the right answer, a forged report, then a hang is a timeout", () => {
    const stdin = join(scratch, "stdin.txt");
    writeFileSync(stdin, "21\n");
    const res = runCli(["run", join(hostileDir, "print_then_hang_forged_report.py"), "--json", "--stdin", stdin, "--timeout", "2"]);
    expect(res.error).toBeUndefined();
    const verdict = JSON.parse(res.stdout) as { status: string; stdout: string };
    expect(verdict.stdout).toBe("42\n");
    expect(verdict.status).toBe("timeout");
  });

  it("a job that leaves 100k files still gets its verdict printed and exit 0 (no exit 13)", () => {
    const res = runCli(["run", join(hostileDir, "many_files_slow_exit.py"), "--json", "--timeout", "30"]);
    expect(res.status, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as { status: string }).status).toBe("ok");
  });
});
