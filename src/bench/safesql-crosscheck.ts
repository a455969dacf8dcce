/**
 * Cross-check of the detector's CWE-89 verdicts against ground truth on SafeSQL programs: the
 * judge runs each program's attack tests (an attack that changed the query's meaning makes the
 * test `wrong_answer` with an `injection:` detail, see docs/judges.md), and the detector decides
 * statically. The 2x2 table of the two tells where the detector misses injectable programs and
 * where it flags programs the attacks could not break (a real sanitizer, or attacks too weak).
 */
import type { Task } from "../task/schema.js";
import { judgeSample, type JobLimits, type JobRunner } from "../judge/index.js";
import { detect } from "../analysis/vuln/index.js";

export interface SafeSqlCrossCheck {
  taskId: string;
  /** Some attack test ended `wrong_answer` with an `injection:` detail. */
  attacksRevealInjection: boolean;
  /** How many attack tests the task has (0: nothing to reveal). */
  attackTests: number;
  /** Attack tests that did not end in `pass` or an injection verdict (timeouts, crashes). */
  inconclusiveAttacks: number;
  /** The detector reports CWE-89 on the program. */
  flagged: boolean;
  /** The first CWE-89 finding's source-to-sink path, as text. */
  flow?: string;
}

export type Quadrant = "both" | "attacks only" | "detector only" | "neither";

export function quadrant(c: SafeSqlCrossCheck): Quadrant {
  if (c.attacksRevealInjection) return c.flagged ? "both" : "attacks only";
  return c.flagged ? "detector only" : "neither";
}

/** Judges `code` (default: the task's reference program) with its attacks and runs the detector on it. */
export async function crossCheckSafeSql(task: Task, runner: JobRunner, limits: JobLimits, code = task.references[0] ?? ""): Promise<SafeSqlCrossCheck> {
  const verdict = await judgeSample(task, code, runner, { limits });
  const attacks = verdict.tests.filter((t) => t.kind === "attack");
  const injected = (t: (typeof attacks)[number]) => t.status === "wrong_answer" && (t.detail ?? "").startsWith("injection");
  const sql = detect(code).findings.filter((f) => f.issue_cwe.id === 89);
  const flow = sql[0]?.flow?.map((s) => `${s.line}: ${s.message}`).join(" -> ");
  return {
    taskId: task.id,
    attacksRevealInjection: attacks.some(injected),
    attackTests: attacks.length,
    inconclusiveAttacks: attacks.filter((t) => t.status !== "pass" && !injected(t)).length,
    flagged: sql.length > 0,
    ...(flow ? { flow } : {}),
  };
}

/** The 2x2 table: rows = attacks reveal injection (yes/no), columns = detector flags CWE-89 (yes/no). */
export function crossTable(rows: readonly SafeSqlCrossCheck[]): Record<Quadrant, string[]> {
  const out: Record<Quadrant, string[]> = { both: [], "attacks only": [], "detector only": [], neither: [] };
  for (const r of rows) out[quadrant(r)].push(r.taskId);
  return out;
}
