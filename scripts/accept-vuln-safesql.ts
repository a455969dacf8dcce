/**
 * SafeSQL ground-truth cross-check for the detector (npm run accept:vuln-safesql): for each
 * reference program of SafeSQL train, the judge runs its attack tests in the sandbox and the
 * detector decides statically; prints the 2x2 table (attacks reveal injection x detector flags
 * CWE-89) and lists the off-diagonal programs.
 *
 *   npm run accept:vuln-safesql [-- --limit N] [--jobs N] [--show]   (--show prints off-diagonal programs)
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { SandboxPool } from "../src/sandbox/index.js";
import { loadTasks, type Task } from "../src/task/index.js";
import { crossCheckSafeSql, crossTable, type SafeSqlCrossCheck } from "../src/bench/safesql-crosscheck.js";

const ROOT = resolve(import.meta.dirname, "..");
const PATH = resolve(ROOT, "../shared/datasets/safesql/train.parquet");

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const limit = opt("limit") === undefined ? Infinity : Number(opt("limit"));
const jobs = Number(opt("jobs") ?? "2");
const show = argv.includes("--show");

if (!existsSync(PATH)) {
  console.log(`SafeSQL: skipped (${PATH} not found)`);
  process.exit(0);
}
const loaded = await loadTasks(PATH, { dataset: "safesql" });
if (loaded.errors.length) console.log(`${loaded.errors.length} rows not loaded: ${loaded.errors.slice(0, 3).map((e) => `${e.index}: ${e.reason}`).join("; ")}`);
const tasks = loaded.tasks.slice(0, limit);

const pool = new SandboxPool({ jobs });
const results: SafeSqlCrossCheck[] = new Array(tasks.length);
const t0 = Date.now();
try {
  let next = 0;
  let done = 0;
  // Two tasks in flight per worker keeps the pool busy without holding every verdict at once.
  await Promise.all(Array.from({ length: Math.min(jobs * 2, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await crossCheckSafeSql(tasks[i]!, pool, { timeoutMs: 4000 });
      if (++done % 50 === 0) process.stderr.write(`  ${done}/${tasks.length}\n`);
    }
  }));
} finally {
  await pool.close();
}

const table = crossTable(results);
const byId = new Map<string, Task>(tasks.map((t) => [t.id, t]));
const byResult = new Map(results.map((r) => [r.taskId, r]));
const w = (n: number) => String(n).padStart(8);
console.log(`\nSafeSQL train: ${tasks.length} reference programs (${((Date.now() - t0) / 1000).toFixed(0)} s, ${jobs} sandbox jobs)`);
console.log(`                               detector: CWE-89   not flagged`);
console.log(`attacks reveal injection       ${w(table.both.length)}   ${w(table["attacks only"].length)}`);
console.log(`attacks reveal nothing         ${w(table["detector only"].length)}   ${w(table.neither.length)}`);
const noAttacks = results.filter((r) => r.attackTests === 0).length;
const inconclusive = results.filter((r) => r.inconclusiveAttacks > 0 && !r.attacksRevealInjection).map((r) => r.taskId);
if (noAttacks) console.log(`programs without attack tests: ${noAttacks}`);
if (inconclusive.length) console.log(`attacks inconclusive (timeouts/crashes, no injection verdict): ${inconclusive.join(" ")}`);
console.log(`missed by the detector (attacks reveal injection): ${table["attacks only"].join(" ") || "none"}`);
console.log(`flagged, attacks reveal nothing: ${table["detector only"].join(" ") || "none"}`);
if (show) {
  for (const id of [...table["attacks only"], ...table["detector only"]]) {
    const r = byResult.get(id)!;
    console.log(`\n===== ${id} attacks:${r.attacksRevealInjection ? "injection" : "nothing"} detector:${r.flagged ? "CWE-89" : "-"}${r.flow ? `\n  flow: ${r.flow}` : ""}`);
    console.log(byId.get(id)!.references[0]);
  }
}
