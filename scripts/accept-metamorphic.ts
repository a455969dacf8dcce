/**
 * Metamorphic invariance of the reward's analyzers (npm run accept:metamorphic): every transform
 * of src/analysis/metamorphic over every fixture under test/analysis and every SecCodePLT+ and
 * SafeSQL train program (../shared/datasets; skipped with a message where absent). Prints, per
 * transform, how many rewrites CPython compiled and how many kept the verdict.
 *
 * Options: --show N (print N failing rewrites with both verdicts), --only fixtures|datasets,
 * --transform NAME, --every N (every n-th dataset task), --json FILE (all failures).
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { TRANSFORMS } from "../src/analysis/metamorphic/index.js";
import { datasetPrograms, fixturePrograms, formatTally, runInvariance, type Program } from "./lib/metamorphic-harness.js";

const ROOT = resolve(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const show = Number(opt("show") ?? "0");
const only = opt("only");
const transforms = opt("transform") ? [opt("transform")!] : Object.keys(TRANSFORMS);

function diff(a: string, b: string): string {
  const al = a.split("\n");
  const bl = b.split("\n");
  let s = 0;
  while (s < al.length && s < bl.length && al[s] === bl[s]) s++;
  let e = 0;
  while (e < al.length - s && e < bl.length - s && al[al.length - 1 - e] === bl[bl.length - 1 - e]) e++;
  return [...al.slice(Math.max(0, s - 2), al.length - e).map((l) => `- ${l}`), ...bl.slice(Math.max(0, s - 2), bl.length - e).map((l) => `+ ${l}`)].join("\n");
}

async function run(label: string, programs: Program[]): Promise<void> {
  const t0 = performance.now();
  const report = runInvariance(programs, transforms);
  console.log(`\n${label}: ${report.programs} programs (${report.skipped} rejected by CPython, skipped), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(formatTally(report));
  for (const f of report.failures.slice(0, show)) {
    console.log(`\n===== ${f.transform} on ${f.program}\n  before: ${f.before.join(" | ")}\n  after:  ${f.after.join(" | ")}\n${diff(f.original, f.rewritten)}`);
  }
  for (const f of report.compileFailures.slice(0, show)) console.log(`\n===== ${f.transform} on ${f.program} did not compile: ${f.error}\n${f.rewritten.slice(0, 3000)}`);
  const json = opt("json");
  if (json) writeFileSync(`${json}.${label.split(" ")[0]}.json`, JSON.stringify(report, null, 1));
}

if (only !== "datasets") await run("fixtures", fixturePrograms(ROOT));
if (only !== "fixtures") {
  const { programs, missing } = await datasetPrograms(resolve(ROOT, "../shared/datasets"), Number(opt("every") ?? "1"));
  for (const m of missing) console.log(`dataset skipped: ${m} not found`);
  if (programs.length) await run("datasets (SecCodePLT+ train vulnerable+patched, SafeSQL train)", programs);
}
