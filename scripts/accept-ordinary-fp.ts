/**
 * False positives on ordinary code: the vulnerability detector (`scan -a vuln`, taint and CWE
 * checks) over the Python standard library and Debian's installed Python packages, which are
 * ordinary, mostly secure code. Prints findings per 1,000 lines by class and writes every finding
 * to a JSON file for review (docs/vuln/false-positives.md holds the reviewed table).
 *
 *   npm run accept:ordinary-fp [-- --root DIR ...] [--out FILE] [--doc]
 *
 * Every finding is joined with the reviewed verdicts in docs/vuln/false-positives-verdicts.json
 * (keyed by file, line and rule; a finding with no verdict is "unreviewed") and the share reviewed
 * true or debatable is printed. `--doc` rewrites the generated part of docs/vuln/false-positives.md
 * (figures per class and the table of every finding with its verdict).
 *
 * Goals (issue 11): at most 0.3 findings per 1,000 lines, and at least 3 in 4 of the findings
 * reviewed as true or debatable. Exit 1 when either is missed or a finding is unreviewed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const argv = process.argv.slice(2);
const roots = argv.flatMap((a, i) => (argv[i - 1] === "--root" ? [a] : []));
if (roots.length === 0) roots.push("/usr/lib/python3.11", "/usr/lib/python3/dist-packages");
const outAt = argv.indexOf("--out");
const outFile = outAt >= 0 ? argv[outAt + 1]! : "ordinary-fp-findings.json";
const BUDGET_PER_KLOC = 0.3;
const MIN_TRUE_SHARE = 0.75;
const ROOT = resolve(import.meta.dirname, "..");
const CLI = resolve(ROOT, "bin", "securecoderl.js");
const VERDICTS = resolve(ROOT, "docs", "vuln", "false-positives-verdicts.json");
const DOC = resolve(ROOT, "docs", "vuln", "false-positives.md");

type Verdict = "true" | "debatable" | "false";
interface Review {
  file: string;
  line: number;
  rule: string;
  verdict: Verdict;
  why: string;
}
const reviews = new Map<string, Review>();
const keyOf = (file: string, line: number, rule: string) => `${file}:${line}:${rule}`;
for (const r of JSON.parse(readFileSync(VERDICTS, "utf8")) as Review[]) reviews.set(keyOf(r.file, r.line, r.rule), r);
const figures: string[] = [];

interface Report {
  metrics: Record<string, { loc: number }>;
  results: { filename: string; line_number: number; test_id: string; issue_text: string }[];
  errors: { filename: string; reason: string; detail?: string }[];
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
  figures.push(`| ${root} | ${loc.toLocaleString("en")} | ${report.results.length} | ${rate.toFixed(3)} | ${[...byClass].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c.replace("VULN-", "")} ${((n / loc) * 1000).toFixed(3)}`).join(", ")} |`);
  // A file the detector could not finish keeps its findings so far (scan's "analysis incomplete").
  const incomplete = report.errors.filter((e) => e.reason === "analysis incomplete");
  console.log(`${root}: ${loc.toLocaleString("en")} lines, ${report.results.length} findings, ${rate.toFixed(3)} per 1,000 lines (budget ${BUDGET_PER_KLOC}), ${report.errors.length - incomplete.length} files not scanned, ${incomplete.length} not fully analysed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const e of incomplete) console.log(`  not fully analysed: ${e.filename}: ${e.detail ?? ""}`);
  for (const [cls, n] of [...byClass].sort((a, b) => b[1] - a[1])) console.log(`  ${cls.padEnd(24)} ${String(n).padStart(5)}  ${((n / loc) * 1000).toFixed(3)}/kLOC`);
  all.push(...report.results.map((r) => ({ corpus: root, ...r })));
}
writeFileSync(outFile, JSON.stringify(all.map(({ corpus, filename, line_number, test_id, issue_text }) => ({ corpus, filename, line_number, test_id, issue_text })), null, 1) + "\n");
console.log(`every finding: ${outFile}`);

const joined = all.map((f) => ({ ...f, review: reviews.get(keyOf(f.filename, f.line_number, f.test_id)) }));
const count = (v: Verdict | undefined) => joined.filter((f) => f.review?.verdict === v).length;
const reviewed = joined.length - count(undefined);
const good = count("true") + count("debatable");
const share = reviewed ? good / reviewed : 1;
console.log(`review: ${count("true")} true, ${count("debatable")} debatable, ${count("false")} false, ${count(undefined)} unreviewed; true or debatable ${(100 * share).toFixed(1)}% of reviewed (goal ${100 * MIN_TRUE_SHARE}%)`);
const stale = [...reviews.values()].filter((r) => !joined.some((f) => f.review === r));
if (stale.length) console.log(`${stale.length} verdicts match no finding now (fixed, or the code moved)`);

if (argv.includes("--doc")) {
  const cell = (t: string) => t.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = [...joined]
    .sort((a, b) => a.test_id.localeCompare(b.test_id, "en", { numeric: true }) || a.filename.localeCompare(b.filename) || a.line_number - b.line_number)
    .map((f) => `| ${f.filename}:${f.line_number} | ${f.test_id.replace("VULN-", "")} | ${f.review?.verdict ?? "unreviewed"} | ${cell(f.review?.why ?? f.issue_text.slice(0, 120))} |`);
  const generated = [
    "<!-- generated by npm run accept:ordinary-fp -- --doc: do not edit by hand -->",
    "",
    "| corpus | lines | findings | per 1,000 lines | per class (per 1,000 lines) |",
    "|---|---|---|---|---|",
    ...figures,
    "",
    `Reviewed: ${count("true")} true, ${count("debatable")} debatable, ${count("false")} false, ${count(undefined)} unreviewed: **${(100 * share).toFixed(1)}%** true or debatable.`,
    "",
    "| finding | class | verdict | why |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
  const doc = readFileSync(DOC, "utf8");
  const start = doc.indexOf("<!-- findings:start -->");
  const end = doc.indexOf("<!-- findings:end -->");
  if (start < 0 || end < start) throw new Error(`${DOC}: no <!-- findings:start --> ... <!-- findings:end --> region`);
  writeFileSync(DOC, `${doc.slice(0, start)}<!-- findings:start -->\n${generated}\n${doc.slice(end)}`);
  console.log(`table written: ${DOC}`);
}
process.exitCode = over || share < MIN_TRUE_SHARE || count(undefined) > 0 ? 1 : 0;
