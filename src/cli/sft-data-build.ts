/** The sft-data action: loads runs and tasks, hands plain samples to src/train/data. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTasks, type Task } from "../task/index.js";
import { formatStats, selectSft, writeSftOutputs, type SftSample } from "../train/data/index.js";

export interface BuildSftOptions {
  runs: string[];
  tasks: string[];
  out: string;
  minReward: number;
  valFraction: number;
  seed: number;
  /** Reward spec the task references are judged under when no run is given. */
  spec?: string;
  jobs?: number;
  /** First N tasks of each task file. */
  limit?: number;
}

interface ResultLine {
  task_id?: unknown;
  dataset?: unknown;
  kind?: unknown;
  status?: unknown;
  compiled?: unknown;
  passed?: unknown;
  total?: unknown;
  reward?: { value?: unknown } | null;
  code?: unknown;
  completion?: unknown;
}

export function promptOf(task: Task): string {
  return task.starterCode.trim() ? `${task.prompt}\n\n${task.starterCode}` : task.prompt;
}

/**
 * Without a run, the samples are the tasks' own references, judged now by the same Verifier every
 * command uses, so the reward filter and the statistics mean what they mean for a bench run.
 */
export async function judgeReferences(tasks: Task[], o: BuildSftOptions): Promise<SftSample[]> {
  const { Verifier } = await import("../verify/index.js");
  const { getSpec } = await import("../reward/index.js");
  const verifier = new Verifier({ spec: getSpec(o.spec ?? "securecoderl"), tasks, ...(o.jobs ? { jobs: o.jobs } : {}) });
  const jobs = tasks.flatMap((task) => task.references.map((ref, i) => ({ task, completion: "```python\n" + ref + "\n```", i })));
  const out: SftSample[] = [];
  let done = 0;
  try {
    const width = Math.max(1, o.jobs ?? 4) * 2;
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const { task, completion, i } = jobs[next++]!;
        const r = await verifier.verify(task, completion, { sampleIndex: i, model: "references" });
        out.push({
          task_id: task.id,
          dataset: task.source,
          kind: task.kind,
          prompt: promptOf(task),
          completion,
          code: r.code,
          compiled: r.compiled && r.status === "ok",
          passed: r.passed,
          total: r.total,
          reward: r.reward ? r.reward.value : null,
        });
        if (++done % 50 === 0 || done === jobs.length) process.stderr.write(`securecoderl sft-data: judged ${done}/${jobs.length} references\n`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  } finally {
    await verifier.close();
  }
  return out;
}

export async function buildSftData(o: BuildSftOptions): Promise<number> {
  if (o.tasks.length === 0) throw new Error("give --tasks: the task files (with --run, the ones the runs were judged on: results hold ids, the prompts are in the tasks)");
  for (const [name, v] of [["--min-reward", o.minReward], ["--val-fraction", o.valFraction], ["--seed", o.seed], ["--limit", o.limit ?? 1], ["--jobs", o.jobs ?? 1]] as const) {
    if (!Number.isFinite(v)) throw new Error(`${name} must be a number`);
  }
  const byId = new Map<string, Task>();
  const safesqlRefs = new Set<string>();
  for (const path of o.tasks) {
    const loaded = await loadTasks(path, o.limit !== undefined ? { limit: o.limit } : {});
    for (const e of loaded.errors) process.stderr.write(`securecoderl sft-data: ${path} row ${e.index}: ${e.reason}\n`);
    for (const t of loaded.tasks) {
      byId.set(t.id, t);
      if (t.kind === "safesql") for (const r of t.references) safesqlRefs.add(r.trim());
    }
  }
  const samples: SftSample[] = [];
  let skipped = 0;
  for (const run of o.runs) {
    const file = existsSync(join(run, "results.jsonl")) ? join(run, "results.jsonl") : run;
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      let r: ResultLine;
      try {
        r = JSON.parse(line) as ResultLine;
      } catch {
        process.stderr.write(`securecoderl sft-data: ${file}:${i + 1}: not JSON, skipped\n`);
        skipped++;
        return;
      }
      const task = typeof r.task_id === "string" ? byId.get(r.task_id) : undefined;
      if (task === undefined || typeof r.completion !== "string") {
        process.stderr.write(`securecoderl sft-data: ${file}:${i + 1}: task ${String(r.task_id)} not in --tasks or no completion, skipped\n`);
        skipped++;
        return;
      }
      const reward = r.reward && typeof r.reward.value === "number" ? r.reward.value : null;
      samples.push({
        task_id: task.id,
        dataset: typeof r.dataset === "string" ? r.dataset : task.source,
        kind: task.kind,
        prompt: promptOf(task),
        completion: r.completion,
        code: typeof r.code === "string" ? r.code : null,
        compiled: r.compiled === true && r.status === "ok",
        passed: typeof r.passed === "number" ? r.passed : 0,
        total: typeof r.total === "number" ? r.total : 0,
        reward,
      });
    });
  }
  if (o.runs.length === 0) samples.push(...(await judgeReferences([...byId.values()], o)));
  const split = selectSft(samples, { minReward: o.minReward, valFraction: o.valFraction, seed: o.seed, safesqlReferences: safesqlRefs });
  const text = formatStats(split.stats);
  const paths = writeSftOutputs(o.out, split, text);
  process.stdout.write(text + "\n");
  if (skipped > 0) process.stdout.write(`skipped ${skipped} result line(s), see stderr\n`);
  process.stdout.write(`wrote ${Object.values(paths).join(", ")}\n`);
  return split.stats.tasks_in_both_splits === 0 ? 0 : 1;
}
