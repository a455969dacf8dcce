import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import type { VerifyCliOptions } from "./verify.js";
import type { Task } from "../task/schema.js";
import type { AnalyzerName } from "../analysis/finding.js";
import type { SampleResult } from "../verify/types.js";
import { parseSamples, type SampleLine } from "../judge/samples.js";

/**
 * One line of `verify` output (docs/cli/verify.md): the judged part of bench's SampleResult, plus
 * the samples-file line; ids are null for lines that could not be read.
 */
export type VerifyResult = Pick<SampleResult, "compiled" | "compile_error" | "tests" | "passed" | "total" | "findings" | "reward"> & {
  task_id: string | null;
  sample_index: number | null;
  line: number;
  error?: string;
  /** Analyzer failures on this sample (the rest of its result still stands). */
  analysis_errors?: string[];
};

const ANALYZER_NAMES: readonly AnalyzerName[] = ["rules", "vuln", "types"];

function usageError(message: string): number {
  process.stderr.write(`securecoderl verify: ${message}\n`);
  return 2;
}

function positiveInt(text: string | undefined, name: string): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : `--${name} must be a positive number, got '${text}'`;
}

/** Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise. */
async function progressReporter(total: number): Promise<{ tick(): void; stop(): void }> {
  if (process.stderr.isTTY) {
    const { default: cliProgress } = await import("cli-progress");
    const bar = new cliProgress.SingleBar({ stream: process.stderr, format: "verify [{bar}] {value}/{total} samples | {eta_formatted} left", hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    return { tick: () => bar.increment(), stop: () => bar.stop() };
  }
  let done = 0;
  let last = 0;
  return {
    tick() {
      done++;
      const now = Date.now();
      if (now - last > 2000 || done === total) {
        last = now;
        process.stderr.write(`verify: ${done}/${total} samples\n`);
      }
    },
    stop() {},
  };
}

export async function runVerify(opts: VerifyCliOptions): Promise<number> {
  if (opts.judge !== "strict" && opts.judge !== "apps") return usageError(`--judge must be strict or apps, got '${opts.judge}'`);
  const jobsArg = positiveInt(opts.jobs, "jobs");
  const timeout = positiveInt(opts.timeout, "timeout");
  const memory = positiveInt(opts.memory, "memory");
  for (const v of [jobsArg, timeout, memory]) if (typeof v === "string") return usageError(v);
  let requestedAnalyzers: AnalyzerName[] | undefined;
  if (opts.analyzers !== undefined) {
    const names = opts.analyzers.split(",").map((a) => a.trim()).filter(Boolean);
    const bad = names.filter((a) => !(ANALYZER_NAMES as readonly string[]).includes(a));
    if (bad.length > 0) return usageError(`unknown analyzer(s) ${bad.join(", ")}; choose from ${ANALYZER_NAMES.join(", ")}`);
    requestedAnalyzers = names as AnalyzerName[];
  }
  const { loadRewardSpec } = await import("../reward/index.js");
  let spec;
  try {
    spec = await loadRewardSpec(opts.reward);
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err));
  }

  let samplesBytes: Buffer;
  try {
    samplesBytes = readFileSync(opts.samples);
  } catch (err) {
    return usageError(`cannot read samples: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { loadTasks, DATASET_KINDS } = await import("../task/index.js");
  if (opts.dataset !== undefined && !(DATASET_KINDS as readonly string[]).includes(opts.dataset)) {
    return usageError(`--dataset must be one of ${DATASET_KINDS.join(", ")}, got '${opts.dataset}'`);
  }
  let tasks: Map<string, Task>;
  try {
    const loaded = await loadTasks(opts.tasks, opts.dataset ? { dataset: opts.dataset as Task["source"] } : {});
    for (const e of loaded.errors) process.stderr.write(`verify: task row ${e.index}${e.id ? ` (${e.id})` : ""} skipped: ${e.reason}\n`);
    tasks = new Map(loaded.tasks.map((t) => [t.id, t]));
  } catch (err) {
    return usageError(`cannot load tasks: ${err instanceof Error ? err.message : String(err)}`);
  }

  let out: number;
  try {
    out = openSync(opts.out, "w");
  } catch (err) {
    return usageError(`cannot write ${opts.out}: ${err instanceof Error ? err.message : String(err)}`);
  }

  const samples = parseSamples(samplesBytes);
  const perTask = new Map<string, number>();
  const indexed = samples.map((s) => {
    if (s.task_id === null) return { sample: s, index: null };
    const i = perTask.get(s.task_id) ?? 0;
    perTask.set(s.task_id, i + 1);
    return { sample: s, index: i };
  });

  const { defaultJobs } = await import("../sandbox/index.js");
  const verifyStage = await import("../verify/index.js");
  const limits = { timeoutMs: (timeout as number | undefined ?? 4) * 1000, memoryMb: (memory as number | undefined) ?? 1024 };
  const judgeMode = opts.judge as "strict" | "apps";
  let verifier: import("../verify/index.js").SampleVerifier;
  let width: number;
  try {
    if (opts.verifier !== undefined) {
      // Remote replicas (`securecoderl serve`) judge the samples; the same pipeline, the same results.
      const remote = new verifyStage.RemoteVerifier(opts.verifier, spec, {
        judgeMode,
        limits,
        ...(requestedAnalyzers ? { analyzers: requestedAnalyzers } : {}),
        ...(process.env.SECURECODERL_TOKEN ? { token: process.env.SECURECODERL_TOKEN } : {}),
        log: (line) => process.stderr.write(`verify: ${line}\n`),
      });
      verifier = remote;
      width = typeof jobsArg === "number" ? Math.floor(jobsArg) : remote.jobs;
    } else {
      const jobs = typeof jobsArg === "number" ? Math.floor(jobsArg) : defaultJobs();
      verifier = new verifyStage.Verifier({ spec, tasks: [...tasks.values()], ...(requestedAnalyzers ? { analyzers: requestedAnalyzers } : {}), jobs, limits, judgeMode });
      // Enough samples in flight that a sandbox worker never waits for the next job.
      width = Math.max(1, jobs * verifyStage.SAMPLES_IN_FLIGHT_PER_WORKER);
    }
  } catch (err) {
    closeSync(out);
    return usageError(err instanceof Error ? err.message : String(err));
  }
  const progress = await progressReporter(samples.length);

  // Results are written in input order as soon as every earlier one is done, one flushed line each.
  const done: (VerifyResult | undefined)[] = new Array(samples.length);
  let written = 0;
  const flush = () => {
    while (written < done.length && done[written] !== undefined) {
      writeSync(out, `${JSON.stringify(done[written])}\n`);
      done[written] = undefined;
      written++;
    }
  };

  const judgeOne = async (sample: SampleLine, index: number | null): Promise<VerifyResult> => {
    const base = { task_id: sample.task_id, sample_index: index, line: sample.line };
    const failed = (error: string, total = 0): VerifyResult => ({ ...base, compiled: false, tests: [], passed: 0, total, findings: [], reward: null, error });
    if (sample.error !== undefined) return failed(sample.error);
    const task = tasks.get(sample.task_id!);
    if (!task) return failed(`unknown task id '${sample.task_id}'`);
    try {
      // Every completion goes to the verifier, whose input rules (src/verify/input.ts) decide what
      // an empty one, a NUL byte or oversized code scores: the same verdict as in bench and serve.
      const v = await verifier.verify(task, sample.completion!, { sampleIndex: index ?? 0 });
      const r: VerifyResult = { ...base, compiled: v.compiled, tests: v.tests, passed: v.passed, total: v.total, findings: v.findings, reward: v.reward };
      if (v.compile_error !== undefined) r.compile_error = v.compile_error;
      if (v.error !== null) r.error = v.error;
      if (v.analysis_errors.length > 0) r.analysis_errors = v.analysis_errors;
      return r;
    } catch (err) {
      return failed(`judge failure: ${err instanceof Error ? err.message : String(err)}`, task.tests.length);
    }
  };

  const judged: VerifyResult[] = [];
  try {
    // Claimed in input order, so the claim index is the sample's position in the file.
    await verifyStage.forEachBounded(indexed, width, async ({ sample, index }, i) => {
      done[i] = await judgeOne(sample, index);
      judged.push(done[i]!);
      progress.tick();
      flush();
    });
  } finally {
    progress.stop();
    flush();
    closeSync(out);
    await verifier.close();
  }
  const errors = samples.filter((s) => s.error !== undefined).length;
  process.stderr.write(`verify: ${samples.length} samples judged${errors ? ` (${errors} malformed or refused lines)` : ""}; results in ${opts.out}\n`);
  process.stderr.write(`${summaryLine(judged)}\n`);
  return 0;
}

/** The closing one-line summary: compile rate, all-pass rate and mean reward over the judged samples. */
export function summaryLine(results: readonly VerifyResult[]): string {
  const n = results.length;
  const pct = (k: number) => (n === 0 ? "-" : `${((100 * k) / n).toFixed(1)}%`);
  const compiled = results.filter((r) => r.compiled).length;
  const allPass = results.filter((r) => r.compiled && r.total > 0 && r.passed === r.total).length;
  const rewards = results.flatMap((r) => (r.reward ? [r.reward.value] : []));
  const mean = rewards.length > 0 ? (rewards.reduce((a, b) => a + b, 0) / rewards.length).toFixed(3) : "-";
  return `summary: ${n} samples  compile ${pct(compiled)} (${compiled})  all pass ${pct(allPass)} (${allPass})  mean reward ${mean}`;
}
