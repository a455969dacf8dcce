import { TYPING_PRELUDE, checkTypesReport } from "../analysis/types/index.js";
import type { Finding } from "../analysis/finding.js";
import type { Task } from "../task/schema.js";
import type { TypeChecker } from "./evaluate.js";

/**
 * Pyright costs about a second to start and milliseconds per file, so samples that want type
 * checks are gathered for a short while and checked in one pyright process per batch.
 */
export function batchedTypeChecker(opts: { batchSize?: number; waitMs?: number } = {}): TypeChecker {
  const batchSize = opts.batchSize ?? 64;
  const waitMs = opts.waitMs ?? 150;
  type Pending = { name: string; code: string; resolve: (r: { findings: Finding[]; error?: string }) => void };
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let counter = 0;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    checkTypesReport(batch.map((p) => ({ name: p.name, code: p.code })), { prelude: TYPING_PRELUDE }).then(
      (report) => {
        for (const p of batch) {
          const error = report.errors.get(p.name);
          p.resolve({ findings: (report.findings.get(p.name) ?? []).map((f) => ({ ...f, filename: "solution.py" })), ...(error ? { error } : {}) });
        }
      },
      (err: unknown) => {
        for (const p of batch) p.resolve({ findings: [], error: err instanceof Error ? err.message : String(err) });
      },
    );
  };

  return (code: string, _task: Task) =>
    new Promise((resolve) => {
      queue.push({ name: `sample_${counter++}.py`, code, resolve });
      if (queue.length >= batchSize) flush();
      else if (!timer) timer = setTimeout(flush, waitMs);
    });
}
