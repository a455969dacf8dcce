/**
 * False positives on ordinary code: the vulnerability detector (`scan -a vuln`, taint and CWE
 * checks) over the Python standard library and Debian's installed Python packages, which are
 * ordinary, mostly secure code. Prints findings per 1,000 lines by class and writes every finding
 * to a JSON file for review (docs/vuln/false-positives.md holds the reviewed table).
 *
 *   npm run accept:ordinary-fp [-- --root DIR ...] [--out FILE]
 *
 * Goal (issue 11): at most 0.3 findings per 1,000 lines. Exit 1 above it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const argv = process.argv.slice(2);
const roots = argv.flatMap((a, i) => (argv[i - 1] === "--root" ? [a] : []));
if (roots.length === 0) roots.push("/usr/lib/python3.11", "/usr/lib/python3/dist-packages");
const outAt = argv.indexOf("--out");
const outFile = outAt >= 0 ? argv[outAt + 1]! : "ordinary-fp-findings.json";
const BUDGET_PER_KLOC = 0.3;
const CLI = resolve(import.meta.dirname, "..", "bin", "securecoderl.js");

interface Report {
  metrics: Record<string, { loc: number }>;
  results: { filename: string; line_number: number; test_id: string; issue_text: string }[];
  errors: unknown[];
}

const all: (Report["results"][number] & { corpus: string })[] = [];
let over = false;
for (const root of roots) {
  if (!existsSync(root)) {
    console.log(`${root}: absent, skipped`);
    continue;
  }
  const started = Date.now();
  const run = spawnSync(process.execPath, [CLI, "scan", "-a", "vuln", "-f", "json", "--exit-zero", "-q", root], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`scan of ${root} exited ${run.status}: ${run.stderr.slice(0, 500)}`);
  const report = JSON.parse(run.stdout) as Report;
  const loc = Object.entries(report.metrics).reduce((s, [k, m]) => (k === "_totals" ? s : s + m.loc), 0);
  const byClass = new Map<string, number>();
  for (const r of report.results) byClass.set(r.test_id, (byClass.get(r.test_id) ?? 0) + 1);
  const rate = (report.results.length / loc) * 1000;
  over ||= rate > BUDGET_PER_KLOC;
  console.log(`${root}: ${loc.toLocaleString("en")} lines, ${report.results.length} findings, ${rate.toFixed(3)} per 1,000 lines (budget ${BUDGET_PER_KLOC}), ${report.errors.length} files not scanned, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const [cls, n] of [...byClass].sort((a, b) => b[1] - a[1])) console.log(`  ${cls.padEnd(24)} ${String(n).padStart(5)}  ${((n / loc) * 1000).toFixed(3)}/kLOC`);
  all.push(...report.results.map((r) => ({ corpus: root, ...r })));
}
writeFileSync(outFile, JSON.stringify(all.map(({ corpus, filename, line_number, test_id, issue_text }) => ({ corpus, filename, line_number, test_id, issue_text })), null, 1) + "\n");
console.log(`every finding: ${outFile}`);
process.exitCode = over ? 1 : 0;
