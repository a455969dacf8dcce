/**
 * End-to-end reward throughput: full rewards (sandboxed tests + Bandit-compatible rules + the
 * vulnerability detector) on SecCodePLT+ whole programs (each task's patched and vulnerable
 * variant as completions), with --jobs equal to the cores, through the same evaluateSample that
 * `bench` uses, with the analysis on the Verifier's analysis threads (defaultAnalysisThreads;
 * `--analysis-threads 0` analyses on the main thread, as before those threads existed). Prints samples/s, where the time goes, and the ratio against a tests-only pass
 * measured in the same run (the baseline).
 * Scaling: without --jobs, the full pass runs at --jobs 1, 2, 4, ... up to the machine's cores (the
 * same set each time, in one run so the figures share the machine's load) and prints samples/s,
 * efficiency (rate / (jobs x rate at 1 job)) and the CPU split: sandbox processes, the main thread,
 * the analysis threads and the rest of the process (GC helpers, libuv pool), from /proc.
 * --warm: a long-running process's figures. Each pass's fresh analysis threads first analyse every
 * program once, untimed (their JIT warm-up: a cold thread spends the first few thousand samples
 * interpreting and compiling, ~2 s of compiler threads' CPU), and one untimed full pass warms the
 * main thread before the passes that are timed. Nothing is cached between passes: the analysis
 * keeps no results, and each pass has its own sandbox pool and reference runs.
 *   npm run bench:reward [-- --limit N] [-- --jobs J] [-- --warm] [-- --in-flight K (samples per sandbox worker, default SAMPLES_IN_FLIGHT_PER_WORKER)]
 */
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { JobRunner } from "../src/judge/index.js";
import { AnalysisPool, defaultAnalysisThreads, evaluateSample, forEachBounded, SAMPLES_IN_FLIGHT_PER_WORKER, type EvaluateDeps, type SampleResult } from "../src/verify/index.js";
import { getSpec } from "../src/reward/index.js";
import { SandboxPool, type JobResult, type PythonJob } from "../src/sandbox/index.js";
import { loadTasks, type Task } from "../src/task/index.js";

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

const path = join(import.meta.dirname, "..", "..", "shared", "datasets", "seccodeplt-plus", "train.parquet");
const limit = arg("limit");
const warm = process.argv.includes("--warm");
const cores = availableParallelism();
const fixedJobs = arg("jobs");
const jobs = fixedJobs ?? cores;
const threadsFor = (j: number) => arg("analysis-threads") ?? defaultAnalysisThreads(j);
const analysisThreads = threadsFor(jobs);
const sweep: number[] = [];
if (fixedJobs === undefined) {
  for (let j = 1; j < cores; j *= 2) sweep.push(j);
  sweep.push(cores);
}
const { tasks } = await loadTasks(path, { dataset: "seccodeplt", ...(limit ? { limit } : {}) });

interface Item {
  task: Task;
  completion: string;
  variant: "patched" | "vulnerable";
}
const items: Item[] = [];
for (const task of tasks) {
  // Whole programs as SecCodePLT joins them: setup, code_before, the body variant, code_after.
  const patched = task.references[0];
  const vulnerable = task.extra.vulnerableProgram;
  if (typeof patched !== "string" || typeof vulnerable !== "string") continue;
  items.push({ task, completion: patched, variant: "patched" });
  items.push({ task, completion: vulnerable, variant: "vulnerable" });
}
if (items.length === 0) throw new Error("no SecCodePLT+ programs found (references[0] / extra.vulnerableProgram)");

/**
 * CPU seconds of this process and its reaped children (the sandbox workers and the programs they
 * fork are reaped when the pool closes), from /proc/self/stat. On a shared machine wall time
 * depends on the neighbours; CPU time per sample says what 2 dedicated cores would do.
 */
function cpuSeconds(): { self: number; children: number } {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  const tick = 100; // USER_HZ on Linux
  const n = (i: number) => Number(fields[i - 3]);
  return { self: (n(14) + n(15)) / tick, children: (n(16) + n(17)) / tick };
}

/** CPU seconds of each thread of this process by thread id, from /proc/self/task/<tid>/stat. */
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** Thread names (V8's GC and compiler helpers are "V8 DefaultWorke", libuv's pool "libuv-worker"). */
function threadNames(): Map<number, string> {
  const out = new Map<number, string>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      out.set(Number(tid), readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim());
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/**
 * How long sandbox workers sat idle while samples were still waiting to start: the pool's jobs
 * counted as they are handed in and answered, and (jobs - in flight) integrated over the time
 * that unclaimed samples remained. A worker idle then waited on the main thread (extraction,
 * result handling, dispatch) or on an analysis thread, never on a lack of work. The tail (no
 * sample left to claim) is not counted.
 */
class IdleMeter implements JobRunner {
  private inFlight = 0;
  private last = performance.now();
  idleWorkerMs = 0;
  /** Times the pool went from all workers busy to one or more idle while work remained. */
  starvations = 0;
  counting = false;
  constructor(
    private readonly inner: SandboxPool,
    private readonly workers: number,
  ) {}
  get defaultLimits() {
    return this.inner.defaultLimits;
  }
  private change(delta: number): void {
    const now = performance.now();
    if (this.counting) this.idleWorkerMs += Math.max(0, this.workers - this.inFlight) * (now - this.last);
    if (this.counting && delta < 0 && this.inFlight === this.workers) this.starvations++;
    this.last = now;
    this.inFlight += delta;
  }
  start(): void {
    this.change(0);
    this.counting = true;
  }
  stop(): void {
    this.change(0);
    this.counting = false;
  }
  run(job: PythonJob): Promise<JobResult> {
    this.change(+1);
    return this.inner.run(job).finally(() => this.change(-1));
  }
}

interface Feeding {
  /** Share of sandbox-worker time spent idle while samples waited (see IdleMeter). */
  idleFraction: number;
  starvations: number;
  /** The main thread's event-loop utilization over the pass (1 = never waiting for I/O). */
  mainThreadBusy: number;
}

interface CpuSplit {
  main: number;
  analysis: number;
  otherThreads: number;
  /** CPU seconds of the other threads by thread name (threads that ended during the pass are missed). */
  otherByName: Map<string, number>;
}

async function pass(
  label: string,
  analyzers: EvaluateDeps["analyzers"],
  jobs: number,
  analysisThreads: number,
): Promise<{ wallMs: number; results: SampleResult[]; cpu: { self: number; children: number }; split: CpuSplit; feeding: Feeding }> {
  const pool = new SandboxPool({ jobs });
  // Threads that appear while the analysis pool starts are its workers (a Worker starts its OS
  // thread in its constructor).
  const tidsBefore = new Set(threadCpu().keys());
  const analysis = analysisThreads > 0 ? new AnalysisPool({ threads: analysisThreads }) : undefined;
  const analysisTids = [...threadCpu().keys()].filter((t) => !tidsBefore.has(t));
  if (warm && analysis && analyzers.length > 0) {
    await forEachBounded(items, analysisThreads * 2, async (it) => {
      await analysis.analyze({ code: it.completion, analyzers: ["rules", "vuln"], ...(it.task.entryPoint ? { entryFunction: it.task.entryPoint } : {}), ...(it.task.cwe ? { cwe: it.task.cwe } : {}) });
    });
  }
  const meter = new IdleMeter(pool, jobs);
  const deps: EvaluateDeps = { pool: meter, spec: getSpec("real"), analyzers, ...(analysis ? { analysis } : {}) };
  // Warm the workers so start-up is not billed to the first samples.
  await evaluateSample(items[0]!.task, items[0]!.completion, deps, { sampleIndex: 0, model: "warmup", dataset: "seccodeplt" });
  const results: SampleResult[] = new Array(items.length);
  const c0 = cpuSeconds();
  const th0 = threadCpu();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  meter.start();
  // As verify and bench feed the Verifier (--in-flight K samples per worker to try others).
  await forEachBounded(items, jobs * (arg("in-flight") ?? SAMPLES_IN_FLIGHT_PER_WORKER), async (it, k) => {
    if (k === items.length - 1) meter.stop(); // the last sample is claimed: the tail begins
    results[k] = await evaluateSample(it.task, it.completion, deps, { sampleIndex: k, model: it.variant, dataset: "seccodeplt" });
  });
  const wallMs = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  // Analysis threads end with the pool: read their CPU first.
  const th1 = threadCpu();
  await Promise.all([pool.close(), analysis?.close()]);
  const c1 = cpuSeconds();
  const cpu = { self: c1.self - c0.self, children: c1.children - c0.children };
  const delta = (tid: number) => (th1.get(tid) ?? th0.get(tid) ?? 0) - (th0.get(tid) ?? 0);
  const main = delta(process.pid);
  const analysisCpu = analysisTids.reduce((a, t) => a + delta(t), 0);
  const names = threadNames();
  const byName = new Map<string, number>();
  for (const tid of new Set([...th0.keys(), ...th1.keys()])) {
    if (tid === process.pid || analysisTids.includes(tid)) continue;
    const name = names.get(tid) ?? "(ended)";
    byName.set(name, (byName.get(name) ?? 0) + delta(tid));
  }
  const split = { main, analysis: analysisCpu, otherThreads: Math.max(0, cpu.self - main - analysisCpu), otherByName: byName };
  process.stderr.write(`${label}, --jobs ${jobs}: ${items.length} samples in ${(wallMs / 1000).toFixed(1)} s wall, CPU ${cpu.self.toFixed(1)} s in node + ${cpu.children.toFixed(1)} s in sandboxes\n`);
  const feeding = { idleFraction: meter.idleWorkerMs / Math.max(1, jobs * wallMs), starvations: meter.starvations, mainThreadBusy: elu };
  return { wallMs, results, cpu, split, feeding };
}

const loadNow = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const describeFeeding = (p: { feeding: Feeding }) =>
  `sandbox workers idle while samples waited ${(100 * p.feeding.idleFraction).toFixed(1)}% of their time (${p.feeding.starvations} times), main thread busy ${(100 * p.feeding.mainThreadBusy).toFixed(0)}%`;
const describeSplit = (p: { cpu: { children: number }; split: CpuSplit }) => {
  const ms = (s: number) => ((1000 * s) / items.length).toFixed(1);
  const named = [...p.split.otherByName].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${ms(s)}`).join(", ");
  return `sandbox ${ms(p.cpu.children)} + main ${ms(p.split.main)} + analysis threads ${ms(p.split.analysis)} + other threads ${ms(p.split.otherThreads)}${named ? ` (${named})` : ""} ms CPU/sample`;
};
if (warm) {
  process.stderr.write("--warm: one untimed full pass to warm this thread\n");
  await pass("warm-up (untimed)", ["rules", "vuln"], jobs, analysisThreads);
}
if (sweep.length > 0) {
  console.log(`scaling over ${items.length} samples (full reward${warm ? ", warm analysis threads" : ""}), --jobs ${sweep.join(", ")} on ${cores} cores:`);
  let rate1 = 0;
  for (const j of sweep) {
    const p = await pass("full reward (sweep)", ["rules", "vuln"], j, threadsFor(j));
    const r = items.length / (p.wallMs / 1000);
    if (j === 1) rate1 = r;
    console.log(
      `  --jobs ${String(j).padStart(2)} (analysis threads ${threadsFor(j)}): ${r.toFixed(1)} samples/s, ${(r / rate1).toFixed(2)}x --jobs 1, efficiency ${(r / (j * rate1)).toFixed(2)}; ${describeSplit(p)}; ${describeFeeding(p)}; load ${loadNow()}`,
    );
  }
}

const base = await pass("tests only (baseline)", [], jobs, analysisThreads);
const full = await pass("full reward (tests + rules + detector)", ["rules", "vuln"], jobs, analysisThreads);

const sum = (rs: SampleResult[], f: (r: SampleResult) => number) => rs.reduce((a, r) => a + f(r), 0);
const rate = (p: { wallMs: number }) => items.length / (p.wallMs / 1000);
const judge = sum(full.results, (r) => r.timings.judge_ms);
const rules = sum(full.results, (r) => r.timings.rules_ms);
const vuln = sum(full.results, (r) => r.timings.vuln_ms);
const tests = sum(full.results, (r) => r.tests.length);
const findings = (variant: string) => full.results.filter((r) => r.model === variant && r.reward?.parts.quality === 0).length;
const allPass = (variant: string) => full.results.filter((r) => r.model === variant && r.compiled && r.total > 0 && r.passed === r.total).length;
const perVariant = items.length / 2;

console.log(`cores: ${availableParallelism()}, jobs: ${jobs}, analysis threads: ${analysisThreads || "none (main thread)"}, samples: ${items.length} (${tasks.length} tasks x patched/vulnerable), tests run: ${tests}`);
console.log(`full reward: ${rate(full).toFixed(1)} samples/s (goal >= 50 on 2 cores); tests only: ${rate(base).toFixed(1)} samples/s; ratio full/tests-only ${(rate(full) / rate(base)).toFixed(2)}`);
const cpuPerSample = (p: { cpu: { self: number; children: number } }) => (p.cpu.self + p.cpu.children) / items.length;
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`machine load average now: ${load} (wall-clock rates above are shared with whatever else runs)`);
console.log(`CPU split (full pass): ${describeSplit(full)}`);
console.log(`feeding (full pass): ${describeFeeding(full)}`);
console.log(`CPU per sample: full ${(1000 * cpuPerSample(full)).toFixed(1)} ms (node ${((1000 * full.cpu.self) / items.length).toFixed(1)} + sandbox ${((1000 * full.cpu.children) / items.length).toFixed(1)}), tests only ${(1000 * cpuPerSample(base)).toFixed(1)} ms`);
console.log(`=> CPU-bound ceiling on ${jobs} dedicated cores: full ${(jobs / cpuPerSample(full)).toFixed(1)} samples/s, tests only ${(jobs / cpuPerSample(base)).toFixed(1)} samples/s`);
const wall = full.wallMs;
console.log(`where the time goes (full pass, wall ${(wall / 1000).toFixed(2)} s):`);
const where = analysisThreads > 0 ? "analysis threads" : "main thread";
console.log(`  parse + rules (${where}, sum) ${(rules / 1000).toFixed(2)} s  = ${((100 * rules) / wall).toFixed(0)}% of wall, ${(rules / items.length).toFixed(2)} ms/sample`);
console.log(`  detector (${where}, sum)      ${(vuln / 1000).toFixed(2)} s  = ${((100 * vuln) / wall).toFixed(0)}% of wall, ${(vuln / items.length).toFixed(2)} ms/sample`);
console.log(`  judge (sandbox, overlapping, sum over samples) ${(judge / 1000).toFixed(2)} s, ${(judge / items.length).toFixed(1)} ms/sample latency, ${(judge / Math.max(1, tests)).toFixed(1)} ms/test`);
if (analysisThreads === 0) console.log(`  overhead (extraction, reward, structure, scheduling): wall minus main-thread analysis = ${(((wall - rules - vuln) / wall) * 100).toFixed(0)}% of wall spent waiting on the sandbox or in glue`);
console.log(`quality 0 (detector finding): patched ${findings("patched")}/${perVariant}, vulnerable ${findings("vulnerable")}/${perVariant}; all tests pass: patched ${allPass("patched")}/${perVariant}, vulnerable ${allPass("vulnerable")}/${perVariant}`);
const failedAnalysis = full.results.filter((r) => (r.analysis_failed ?? []).length > 0);
console.log(`analysis failures (counted against the sample): ${failedAnalysis.length}${failedAnalysis.length ? ` (${failedAnalysis.slice(0, 3).map((r) => `${r.task_id}: ${r.analysis_errors[0]}`).join("; ")})` : ""}`);
