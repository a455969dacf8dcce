/**
 * npm run bench:exec — what a sandboxed test costs.
 *
 * 1. Warm pool: median round trip (TS -> worker -> fork -> program -> verdict) of a trivial stdin
 *    program, one job at a time, on a one-worker pool.
 * 2. Naive baseline with the same isolation: spawn setpriv+bwrap+python per test.
 * 3. For reference: spawn plain `python3 -I -S` per test (no isolation at all).
 * 4. APPS+ reference throughput: judge each problem's first reference solution (problems/s).
 *
 * Also prints the CPU time a warm job costs (worker, forked child and Node), which on a shared
 * machine says more than the round trip: the sandbox's share comes from the reaped children's
 * CPU, less the spawned baselines' and a pool's start-up (measured with a second pool). The
 * breakdown splits both: the round trip into the worker's part from handing the job to its child
 * until the child's pipes are drained (JobResult.wall_ms: the child's set-up if it is not ready
 * yet, the program, the kernel's teardown of the child) and the rest (Node's framing and verdict,
 * the pipes, the worker reading the job, reaping and cleaning after it, and forking the next standby
 * child, which a job sent back to back waits for); the sandbox CPU into the job's child (its
 * rusage, JobResult.cpu_ms: after-fork faults, set-up, the program, exit) and the worker.
 *
 * Options: --runs N (warm runs, default 300), --naive N (spawned runs, default 40), --apps N
 * (APPS+ problems, default 100; 0 skips).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SandboxPool, defaultJobs } from "../src/sandbox/index.js";
import { sandboxedPythonCommand } from "../src/sandbox/command.js";
import { driverDir, findBwrap, findExecutable, findPython, isRoot } from "../src/sandbox/locate.js";

const PROGRAM = "print(input())\n";
const INPUT = "42\n";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** CPU seconds of this process and of its reaped children (sandbox workers once their pool closes). */
function cpuSeconds(): { self: number; children: number } {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  const n = (i: number) => Number(fields[i - 3]) / 100; // USER_HZ
  return { self: n(14) + n(15), children: n(16) + n(17) };
}

let spawnedCpu = 0;

function timeSpawns(argv: string[], runs: number): number[] {
  const [cmd, ...args] = argv;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = cpuSeconds().children;
    const t0 = performance.now();
    const r = spawnSync(cmd!, args, { input: INPUT, encoding: "utf8", env: {} });
    const dt = performance.now() - t0;
    spawnedCpu += cpuSeconds().children - c0;
    if (r.status !== 0 || r.stdout !== "42\n") throw new Error(`baseline run failed: ${r.status} ${r.stderr}`);
    times.push(dt);
  }
  return times;
}

async function main(): Promise<void> {
  const runs = arg("runs", 300);
  const naiveRuns = arg("naive", 40);
  const appsCount = arg("apps", 100);

  const python = findPython();
  const uid = isRoot() ? 900_000 + (process.pid % 1000) : undefined;
  const setpriv = findExecutable("setpriv") ?? undefined;
  const naiveArgv = sandboxedPythonCommand({ bwrap: findBwrap(), python, driverDir: driverDir(), uid, setpriv }, ["-I", "-S", "-c", PROGRAM]);

  // A pool's start-up and warm-up alone, to take out of the measured pool's CPU.
  const s0 = cpuSeconds();
  const startup = new SandboxPool({ jobs: 1 });
  await startup.warm();
  for (let i = 0; i < 20; i++) await startup.run({ code: PROGRAM, stdin: INPUT });
  await startup.close();
  const s1 = cpuSeconds();

  const c0 = cpuSeconds();
  const pool = new SandboxPool({ jobs: 1 });
  await pool.warm();
  for (let i = 0; i < 20; i++) await pool.run({ code: PROGRAM, stdin: INPUT });
  let warmNodeCpu = 0;
  const warm: number[] = [];
  const inWorker: number[] = [];
  const childCpu: number[] = [];
  const naive: number[] = [];
  const plain: number[] = [];
  // Interleaved rounds, so that all three see the same machine load (shared machines vary a lot).
  const rounds = 10;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < Math.ceil(runs / rounds); i++) {
      const n0 = cpuSeconds().self;
      const t0 = performance.now();
      const r = await pool.run({ code: PROGRAM, stdin: INPUT });
      warm.push(performance.now() - t0);
      warmNodeCpu += cpuSeconds().self - n0;
      inWorker.push(r.wall_ms);
      childCpu.push(r.cpu_ms);
      if (r.status !== "ok" || r.stdout !== "42\n") throw new Error(`warm run failed: ${JSON.stringify(r)}`);
    }
    naive.push(...timeSpawns(naiveArgv, Math.ceil(naiveRuns / rounds)));
    plain.push(...timeSpawns([python, "-I", "-S", "-c", PROGRAM], Math.ceil(naiveRuns / rounds)));
  }
  await pool.close();
  const c1 = cpuSeconds();
  const sandboxCpuMs = (1000 * (c1.children - c0.children - spawnedCpu - (s1.children - s0.children))) / warm.length;

  const warmMedian = median(warm);
  const naiveMedian = median(naive);
  console.log(`warm pool, trivial stdin program: median ${warmMedian.toFixed(2)} ms per test (round trip from TS; ${median(inWorker).toFixed(2)} ms inside the worker), ${runs} runs`);
  console.log(`naive: spawn bwrap + python per test (same isolation): median ${naiveMedian.toFixed(2)} ms, ${naiveRuns} runs`);
  console.log(`reference: spawn plain python3 -I -S per test (no isolation): median ${median(plain).toFixed(2)} ms, ${naiveRuns} runs`);
  console.log(`ratio naive / warm: ${(naiveMedian / warmMedian).toFixed(1)}x   (goals: overhead <= 2 ms, ratio >= 5)`);
  console.log(`CPU per warm job: sandbox ${sandboxCpuMs.toFixed(2)} ms (worker + forked child), Node ${((1000 * warmNodeCpu) / warm.length).toFixed(2)} ms; machine load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  const meanChildCpu = childCpu.reduce((a, b) => a + b, 0) / childCpu.length;
  console.log(
    `breakdown (medians): round trip ${warmMedian.toFixed(2)} ms = in the worker, job handed to its child until its pipes are drained ${median(inWorker).toFixed(2)} ms` +
      ` + Node, pipes, reading the job, clean-up and forking the next child ${(warmMedian - median(inWorker)).toFixed(2)} ms;` +
      ` sandbox CPU ${sandboxCpuMs.toFixed(2)} ms = job's child ${meanChildCpu.toFixed(2)} ms (mean rusage) + worker ${(sandboxCpuMs - meanChildCpu).toFixed(2)} ms`,
  );

  if (appsCount > 0) await appsThroughput(appsCount);
}

async function appsThroughput(limit: number): Promise<void> {
  const root = resolve(fileURLToPath(import.meta.url), "..", "..");
  const path = join(root, "..", "shared", "datasets", "apps-plus", "test.parquet");
  if (!existsSync(path)) {
    console.log(`APPS+ throughput: skipped, dataset not found at ${path}`);
    return;
  }
  const { loadTasks } = await import("../src/task/index.js");
  const { judgeSample } = await import("../src/judge/index.js");
  const loaded = await loadTasks(path);
  const tasks = loaded.tasks.filter((t) => t.references.length > 0).slice(0, limit);
  const jobs = defaultJobs();
  const pool = new SandboxPool({ jobs });
  await pool.warm();
  const t0 = performance.now();
  const verdicts = await Promise.all(tasks.map((t) => judgeSample(t, t.references[0]!, pool)));
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  const tests = verdicts.reduce((n, v) => n + v.total, 0);
  const allPass = verdicts.filter((v) => v.total > 0 && v.passed === v.total).length;
  console.log(
    `APPS+ reference solutions: ${tasks.length} problems (${tests} tests) in ${seconds.toFixed(2)} s with ${jobs} workers: ` +
      `${(tasks.length / seconds).toFixed(1)} problems/s, ${(tests / seconds).toFixed(0)} tests/s; ${allPass}/${tasks.length} pass every test`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
