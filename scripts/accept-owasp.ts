/**
 * The detector on OWASP Benchmark for Python (npm run accept:owasp -- --dir PATH): a public
 * benchmark of small Flask handlers in 14 categories, each test case labelled as a real
 * vulnerability or not. Nothing of it is in this repository (it is GPL, and the detector must not
 * be fitted to it): clone https://github.com/OWASP-Benchmark/BenchmarkPython and point --dir at the
 * clone. Runs `securecoderl scan -a vuln` over its testcode/ as a user would (plain scan: no task
 * context) and prints, per category, the share of real vulnerabilities flagged (TPR), the share of
 * safe cases flagged (FPR) and Youden's J = TPR - FPR, then the mean J.
 *
 * A case counts as flagged when some finding in its file has the category's CWE or one the
 * detector reports for the same weakness (below); other findings in the file do not count.
 *
 *   npm run accept:owasp -- --dir ../BenchmarkPython [--json OUT]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const dir = opt("dir") ?? process.env.OWASP_BENCHMARK_PYTHON;
if (!dir || !existsSync(join(dir, "testcode"))) {
  console.log(`accept:owasp: skipped (no OWASP Benchmark for Python clone: pass --dir PATH or set OWASP_BENCHMARK_PYTHON; got ${dir ?? "nothing"})`);
  process.exit(0);
}
const expectedFile = readdirSync(dir).find((f) => /^expectedresults-.*\.csv$/.test(f));
if (!expectedFile) {
  console.error(`accept:owasp: no expectedresults-*.csv in ${dir}`);
  process.exit(2);
}

/** The CWEs the detector reports for the weakness a category's CWE names. */
const SAME_WEAKNESS: Record<number, number[]> = {
  22: [22, 23, 36, 73],
  78: [78, 77],
  79: [79, 80],
  94: [94, 95],
  328: [328, 327, 916, 759],
  330: [330, 338],
};

const started = Date.now();
const run = spawnSync(process.execPath, [join(ROOT, "bin", "securecoderl.js"), "scan", "-a", "vuln", "-f", "json", "--exit-zero", "-q", join(dir, "testcode")], { encoding: "utf8", maxBuffer: 1 << 30 });
if (run.status !== 0) {
  console.error(`accept:owasp: scan exited ${run.status}: ${run.stderr.slice(0, 500)}`);
  process.exit(2);
}
const report = JSON.parse(run.stdout) as { results: Array<{ filename: string; issue_cwe?: { id: number } }>; errors: unknown[] };
const cwesByCase = new Map<string, Set<number>>();
for (const f of report.results) {
  const name = basename(f.filename).replace(/\.py$/, "");
  let set = cwesByCase.get(name);
  if (!set) cwesByCase.set(name, (set = new Set()));
  if (f.issue_cwe) set.add(f.issue_cwe.id);
}

interface Counts {
  cwe: number;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}
const byCategory = new Map<string, Counts>();
for (const line of readFileSync(join(dir, expectedFile), "utf8").split("\n")) {
  if (line.startsWith("#") || line.trim() === "") continue;
  const [name, category, real, cweText] = line.split(",").map((x) => x.trim()) as [string, string, string, string];
  const cwe = Number(cweText);
  const flagged = (SAME_WEAKNESS[cwe] ?? [cwe]).some((c) => cwesByCase.get(name)?.has(c));
  const c = byCategory.get(category) ?? { cwe, tp: 0, fn: 0, fp: 0, tn: 0 };
  if (real === "true") flagged ? c.tp++ : c.fn++;
  else flagged ? c.fp++ : c.tn++;
  byCategory.set(category, c);
}

const rows: Array<{ category: string; cwe: number; tpr: number; fpr: number; j: number; real: number; safe: number }> = [];
for (const [category, c] of [...byCategory].sort((a, b) => a[0].localeCompare(b[0]))) {
  const tpr = c.tp / Math.max(1, c.tp + c.fn);
  const fpr = c.fp / Math.max(1, c.fp + c.tn);
  rows.push({ category, cwe: c.cwe, tpr, fpr, j: tpr - fpr, real: c.tp + c.fn, safe: c.fp + c.tn });
  console.log(`${category.padEnd(16)} CWE-${String(c.cwe).padEnd(5)} flagged real ${String(c.tp).padStart(3)}/${String(c.tp + c.fn).padEnd(4)} (${(100 * tpr).toFixed(0).padStart(3)}%)  flagged safe ${String(c.fp).padStart(3)}/${String(c.fp + c.tn).padEnd(4)} (${(100 * fpr).toFixed(0).padStart(3)}%)  J ${(tpr - fpr).toFixed(2)}`);
}
const meanJ = rows.reduce((s, r) => s + r.j, 0) / Math.max(1, rows.length);
const cases = rows.reduce((s, r) => s + r.real + r.safe, 0);
console.log(`${cases} cases in ${rows.length} categories, mean Youden J ${meanJ.toFixed(3)}; ${report.errors.length} files not scanned; ${((Date.now() - started) / 1000).toFixed(1)} s`);
const out = opt("json");
if (out) writeFileSync(out, JSON.stringify({ meanJ, categories: rows }, null, 1) + "\n");
