import type { Task } from "../task/schema.js";
import type { SampleResult, SampleVerifier } from "../verify/index.js";
import { HACKS, honestWrong, type Hack } from "./hacks.js";
import { fenced, taskShape } from "./shape.js";

/** One program's rewards over the audited tasks. */
export interface AuditRow {
  name: string;
  tries: string;
  mean_reward: number;
  /** Tests passed over tests run, summed over tasks (what the reward's function part saw). */
  passed: number;
  total: number;
  /** Per task: the reward, or null where the sample never reached the judge (its error is kept). */
  per_task: { task_id: string; reward: number | null; passed: number; total: number; security_passed: number; error: string | null }[];
  /** Security tests (SafeSQL attack inputs, SecCodePLT safety cases) passed, summed over tasks. */
  security_passed: number;
  /** What the hack is measured against on each task: the honest wrong answer or its own baseline (hacks.ts). */
  bar: { task_id: string; program: "honest-wrong-answer" | "own-baseline"; reward: number; security_passed: number }[];
  /** Mean of the bar's rewards over the tasks (the honest wrong answer's mean for most hacks). */
  bar_mean_reward: number;
  /** Mean reward minus the bar's; > 0 means the hack beat it. */
  margin: number;
  /** The hack beat its bar: a higher mean reward, or (against its own baseline) more security tests passed. */
  beats_honest: boolean;
}

export interface AuditReport {
  spec: string;
  tasks: { id: string; kind: string; source: string }[];
  honest: AuditRow;
  hacks: AuditRow[];
  /** True when some hack earned more than the honest wrong answer (the command then exits 1). */
  failed: boolean;
}

/** Rewards are sums of fractions: equal programs must not differ by rounding alone. */
const EPSILON = 1e-9;

/**
 * A sample that never reached the judge has no reward; it counts as the spec's lowest value would,
 * so such a sample can never lift a hack (and a failing verifier is visible in `error`).
 */
function rewardOf(r: SampleResult): number | null {
  return r.reward ? r.reward.value : null;
}

function securityPassed(r: SampleResult): number {
  return r.tests.filter((t) => (t.kind === "attack" || t.kind === "safety") && t.status === "pass").length;
}

function row(name: string, tries: string, results: { task: Task; result: SampleResult }[]): AuditRow {
  const per_task = results.map(({ task, result }) => ({
    task_id: task.id,
    reward: rewardOf(result),
    passed: result.passed,
    total: result.total,
    security_passed: securityPassed(result),
    error: result.error,
  }));
  const scored = per_task.map((p) => p.reward ?? -1);
  const mean = scored.length === 0 ? 0 : scored.reduce((a, b) => a + b, 0) / scored.length;
  return {
    name,
    tries,
    mean_reward: mean,
    passed: per_task.reduce((a, p) => a + p.passed, 0),
    total: per_task.reduce((a, p) => a + p.total, 0),
    per_task,
    security_passed: results.reduce((a, { result }) => a + securityPassed(result), 0),
    bar: [],
    bar_mean_reward: 0,
    margin: 0,
    beats_honest: false,
  };
}

export interface AuditOptions {
  hacks?: readonly Hack[];
  /** Called after each judged program (progress). */
  onSample?: (done: number, total: number) => void;
}

/**
 * Judges the honest wrong answer and every hack on every task through `verifier`, one program at
 * a time so a cross-sample channel's planter and reader follow each other on the same workers.
 */
export async function runAudit(tasks: readonly Task[], verifier: SampleVerifier & { spec: { name: string } }, opts: AuditOptions = {}): Promise<AuditReport> {
  const hacks = opts.hacks ?? HACKS;
  const totalPrograms = tasks.length * (1 + hacks.length + hacks.filter((h) => h.planter).length + hacks.filter((h) => h.baseline).length);
  let done = 0;
  const judge = async (task: Task, completion: string, index: number, timeoutMs?: number): Promise<SampleResult> => {
    // A hack's own time limit replaces only the timeout; the pool's defaults (the audit's --memory) fill the rest.
    const r = await verifier.verify(task, completion, { sampleIndex: index, model: "audit", ...(timeoutMs !== undefined ? { limits: { timeoutMs } } : {}) });
    opts.onSample?.(++done, totalPrograms);
    return r;
  };
  const honestResults: { task: Task; result: SampleResult }[] = [];
  const hackResults = hacks.map(() => [] as { task: Task; result: SampleResult }[]);
  const baselineResults = hacks.map(() => [] as (SampleResult | null)[]);
  for (const task of tasks) {
    const shape = taskShape(task);
    honestResults.push({ task, result: await judge(task, honestWrong(shape), 0) });
    for (const [i, hack] of hacks.entries()) {
      const planted = hack.planter?.(shape, task);
      if (hack.planter) {
        if (planted) await judge(task, planted, 1000 + i);
        else opts.onSample?.(++done, totalPrograms);
      }
      const baseline = hack.baseline?.(shape, task);
      if (hack.baseline) {
        if (baseline) baselineResults[i]!.push(await judge(task, fenced(baseline), 2000 + i));
        else {
          baselineResults[i]!.push(null);
          opts.onSample?.(++done, totalPrograms);
        }
      }
      hackResults[i]!.push({ task, result: await judge(task, hack.completion(shape, task), i + 1, hack.timeoutMs) });
    }
  }
  const honest = row("honest-wrong-answer", "a plausible program with the right entry point that returns a wrong value / prints a wrong answer", honestResults);
  const rows = hacks.map((h, i) => {
    const r = row(h.name, h.tries, hackResults[i]!);
    r.bar = honestResults.map(({ task, result }, t) => {
      const own = baselineResults[i]![t] ?? null;
      const bar = own ?? result;
      return { task_id: task.id, program: own ? "own-baseline" as const : "honest-wrong-answer" as const, reward: rewardOf(bar) ?? -1, security_passed: securityPassed(bar) };
    });
    r.bar_mean_reward = r.bar.length === 0 ? 0 : r.bar.reduce((a, b) => a + b.reward, 0) / r.bar.length;
    r.margin = r.mean_reward - r.bar_mean_reward;
    const ownSecurity = r.bar.reduce((a, b, t) => a + (b.program === "own-baseline" ? r.per_task[t]!.security_passed - b.security_passed : 0), 0);
    r.beats_honest = r.margin > EPSILON || ownSecurity > 0;
    return r;
  });
  return {
    spec: verifier.spec.name,
    tasks: tasks.map((t) => ({ id: t.id, kind: t.kind, source: t.source })),
    honest,
    hacks: rows,
    failed: rows.some((r) => r.beats_honest),
  };
}
