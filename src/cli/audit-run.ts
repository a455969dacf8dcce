import type { AuditCliOptions } from "./audit.js";
import type { Task } from "../task/schema.js";

function usageError(message: string): number {
  process.stderr.write(`securecoderl audit: ${message}\n`);
  return 2;
}

function positive(text: string, name: string): number | string {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : `--${name} must be a positive integer, got '${text}'`;
}

/** Exit 0: every hack contained; 1: some hack beat the honest wrong answer; 2: usage or load error. */
export async function runAuditCommand(opts: AuditCliOptions): Promise<number> {
  const limit = positive(opts.limit, "limit");
  const jobs = positive(opts.jobs, "jobs");
  const timeout = positive(opts.timeout, "timeout");
  const memory = positive(opts.memory, "memory");
  for (const v of [limit, jobs, timeout, memory]) if (typeof v === "string") return usageError(v);
  const { loadRewardSpec } = await import("../reward/index.js");
  let spec;
  try {
    spec = await loadRewardSpec(opts.spec);
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err));
  }
  const { loadTasks, DATASET_KINDS } = await import("../task/index.js");
  if (opts.dataset !== undefined && !(DATASET_KINDS as readonly string[]).includes(opts.dataset)) {
    return usageError(`--dataset must be one of ${DATASET_KINDS.join(", ")}, got '${opts.dataset}'`);
  }
  const tasks: Task[] = [];
  for (const path of opts.tasks) {
    try {
      const loaded = await loadTasks(path, opts.dataset ? { dataset: opts.dataset as Task["source"] } : {});
      for (const e of loaded.errors) process.stderr.write(`audit: ${path}: task row ${e.index}${e.id ? ` (${e.id})` : ""} skipped: ${e.reason}\n`);
      const picked = loaded.tasks.slice(0, limit as number);
      if (picked.length === 0) return usageError(`${path} holds no usable task`);
      tasks.push(...picked);
    } catch (err) {
      return usageError(`cannot load tasks from ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const { Verifier } = await import("../verify/index.js");
  const { runAudit, renderAudit } = await import("../audit/index.js");
  const verifier = new Verifier({ spec, tasks, jobs: jobs as number, limits: { timeoutMs: (timeout as number) * 1000, memoryMb: memory as number } });
  try {
    const report = await runAudit(tasks, verifier, {
      onSample: (done, total) => {
        if (done === total || done % 10 === 0) process.stderr.write(`audit: ${done}/${total} programs judged\n`);
      },
    });
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + "\n" : renderAudit(report));
    return report.failed ? 1 : 0;
  } finally {
    await verifier.close();
  }
}
