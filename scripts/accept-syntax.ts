/**
 * Syntax acceptance: our parser's verdict (valid Python 3 or not) against CPython's compile() on
 * every .py file of the standard library and of the installed Debian Python packages, and on the
 * programs of the shared datasets when ../shared/datasets is present. They must agree on every
 * one: code CPython runs but we reject is code the analyzers never look at (a reward hole: the
 * sample's analysis fails), and code we accept but CPython rejects is reported as scanned.
 *
 *   npm run accept:syntax [-- --root DIR ...] [--sample N] [--no-datasets]
 *
 * Exit 1 when any file disagrees (each is listed with both verdicts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { syntaxVerdict } from "../src/analysis/scan/syntax-verdict.js";
import { cpythonVerdicts, pythonFilesUnder, type Item } from "./lib/syntax-oracle.js";

const argv = process.argv.slice(2);
const roots = argv.flatMap((a, i) => (argv[i - 1] === "--root" ? [a] : []));
if (roots.length === 0) roots.push("/usr/lib/python3.11", "/usr/lib/python3/dist-packages");
const sampleAt = argv.indexOf("--sample");
const sample = sampleAt >= 0 ? Number(argv[sampleAt + 1]) : Infinity;
const withDatasets = !argv.includes("--no-datasets");
const DATA = resolve(import.meta.dirname, "..", "..", "shared", "datasets");

/** Every k-th element, so a sample spreads over the whole list. */
function spread<T>(list: T[], n: number): T[] {
  if (!(n < list.length)) return list;
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]!);
}

interface Corpus {
  name: string;
  items: Item[];
  ours: (item: Item) => { ok: true } | { ok: false; reason: string };
  label: (item: Item, index: number) => string;
}

const corpora: Corpus[] = [];
for (const root of roots) {
  const files = spread(pythonFilesUnder(root), sample);
  corpora.push({
    name: root,
    items: files.map((path) => ({ path })),
    ours: (item) => syntaxVerdict(readFileSync((item as { path: string }).path), (item as { path: string }).path),
    label: (item) => (item as { path: string }).path,
  });
}

async function rows(file: string): Promise<Record<string, unknown>[]> {
  return (await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors })) as Record<string, unknown>[];
}

if (withDatasets && existsSync(DATA)) {
  const programs: { source: string; label: string }[] = [];
  const apps = join(DATA, "apps-plus", "test.parquet");
  if (existsSync(apps)) {
    for (const r of await rows(apps)) {
      (JSON.parse(String(r.solutions)) as string[]).forEach((s, k) => programs.push({ source: s, label: `apps-plus ${String(r.problem_id)} solution ${k}` }));
    }
  }
  const safesql = join(DATA, "safesql", "train.parquet");
  if (existsSync(safesql)) {
    for (const r of await rows(safesql)) {
      programs.push({ source: String(r.execute_sql), label: `safesql ${String(r.program_id)} execute_sql` });
      programs.push({ source: String(r.construct_db), label: `safesql ${String(r.program_id)} construct_db` });
    }
  }
  const seccode = join(DATA, "seccodeplt-plus", "train.parquet");
  if (existsSync(seccode)) {
    for (const r of await rows(seccode)) {
      const g = r.ground_truth as Record<string, string>;
      const u = r.unittest as Record<string, string>;
      for (const variant of ["vulnerable_code", "patched_code"]) {
        programs.push({ source: `${u.setup ?? ""}\n${g.code_before}${g[variant]}${g.code_after}`, label: `seccodeplt-plus ${String(r.id)} ${variant}` });
      }
    }
  }
  const chosen = spread(programs, sample);
  corpora.push({
    name: "shared datasets (APPS+ solutions, SafeSQL, SecCodePLT+ programs)",
    items: chosen.map((p) => ({ source: p.source })),
    ours: (item) => syntaxVerdict(Buffer.from((item as { source: string }).source, "utf8")),
    label: (_item, i) => chosen[i]!.label,
  });
} else if (withDatasets) {
  console.log(`shared datasets: not found at ${DATA}; skipped`);
}

let disagreements = 0;
let total = 0;
for (const corpus of corpora) {
  const t0 = performance.now();
  const theirs = cpythonVerdicts(corpus.items);
  let agree = 0;
  let cpythonRejects = 0;
  const lines: string[] = [];
  corpus.items.forEach((item, i) => {
    const ours = corpus.ours(item);
    const cp = theirs[i]!;
    if (!cp.ok) cpythonRejects++;
    if (ours.ok === cp.ok) agree++;
    else lines.push(`  ${corpus.label(item, i)}\n    ours: ${ours.ok ? "valid" : ours.reason}\n    CPython: ${cp.ok ? "valid" : cp.error}`);
  });
  total += corpus.items.length;
  disagreements += corpus.items.length - agree;
  console.log(`${corpus.name}: ${agree}/${corpus.items.length} agree (CPython rejects ${cpythonRejects}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const l of lines) console.log(l);
}
console.log(`total: ${total - disagreements}/${total} agree${disagreements ? `, ${disagreements} disagree` : ""}`);
process.exit(disagreements > 0 ? 1 : 0);
