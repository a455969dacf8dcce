/**
 * Replays every APPS+ problem's first reference solution through `bench` (tests + rules), plus
 * fenced, broken and insecure variants of it, and prints the per-variant metrics and the
 * problems whose reference does not pass. Acceptance: >= 99% of the 519 references pass.
 *   npx tsx scripts/bench-replay-apps-plus.ts [--limit N] [--jobs J] [--out DIR]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBench } from "../src/bench/index.js";
import { createProgress } from "../src/bench/progress.js";
import { loadTasks } from "../src/task/index.js";
import type { MetricsFile } from "../src/bench/index.js";
import type { SampleResult } from "../src/verify/index.js";
import { readFileSync } from "node:fs";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const parquet = join(import.meta.dirname, "..", "..", "shared", "datasets", "apps-plus", "test.parquet");
const limit = arg("limit") ? Number(arg("limit")) : undefined;
const root = arg("out") ?? mkdtempSync(join(tmpdir(), "scrl-apps-plus-"));
mkdirSync(root, { recursive: true });
const { tasks } = await loadTasks(parquet, limit ? { limit } : {});

const variants = (code: string): Record<string, string> => ({
  reference: code,
  fenced: `Here is a solution.\n\n\`\`\`python\n${code}\n\`\`\`\n\nIt handles the edge cases.`,
  broken: `def broken(:\n    pass\n${code}`,
  insecure: `${code}\n\n\ndef _debug_hook(expression):\n    return eval(expression)\n`,
});
const files: Record<string, string[]> = {};
for (const t of tasks) for (const [name, c] of Object.entries(variants(t.references[0] ?? ""))) (files[name] ??= []).push(JSON.stringify({ task_id: t.id, completion: c }));
const models = Object.entries(files).map(([name, lines]) => {
  const path = join(root, `${name}.jsonl`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return { name, backend: "replay", samples: path };
});
const out = join(root, "run");
const t0 = performance.now();
await runBench(
  { name: "apps-plus-replay", datasets: [{ path: parquet, ...(limit ? { limit } : {}) }], models, reward: "securecoderl", analyzers: ["rules"], ...(arg("jobs") ? { jobs: Number(arg("jobs")) } : {}) },
  { out, progress: createProgress() },
);
const seconds = (performance.now() - t0) / 1000;
const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")) as MetricsFile;
const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
console.log(`${tasks.length} problems x ${models.length} variants in ${seconds.toFixed(0)} s; run folder ${out}`);
for (const [model, m] of Object.entries(metrics.by_model)) {
  console.log(`${model.padEnd(10)} samples ${m.samples}  compile ${pct(m.compile_rate)}  all pass ${pct(m.all_pass_rate)} (${m.all_pass})  security issue ${pct(m.security_issue_rate)}  mean reward ${m.mean_reward?.toFixed(3)}`);
}
const results = readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as SampleResult);
const failing = results.filter((r) => r.model === "reference" && !(r.compiled && r.total > 0 && r.passed === r.total));
console.log(`references not passing (${failing.length}): ${failing.map((r) => `${r.task_id} (${r.passed}/${r.total}${r.tests.find((t) => t.status !== "pass") ? `, ${r.tests.find((t) => t.status !== "pass")!.status}` : ""})`).join(", ")}`);
