/**
 * Metamorphic invariance in CI: every transform over every Python fixture under test/analysis,
 * and over every SecCodePLT+ train program (vulnerable and patched, under the task's entry
 * function and CWE) and every SafeSQL train program when ../shared/datasets is present (about a
 * minute on one core; skipped with a message where absent). The reward's verdict (rules + detector
 * findings by class) must not change, except for the mechanisms listed in known-gaps.ts; an entry
 * there that no longer happens fails too.
 */
import { describe, expect, it } from "vitest";
import { TRANSFORMS } from "../../../src/analysis/metamorphic/index.js";
import { datasetPrograms, fixturePrograms, runInvariance, type InvarianceReport } from "../../../scripts/lib/metamorphic-harness.js";
import { DATASETS_DIR, REPO_ROOT } from "../../helpers.js";
import { explains, KNOWN_GAPS, type KnownGap } from "./known-gaps.js";

function unexplained(report: InvarianceReport, used: Set<KnownGap>): string[] {
  const out: string[] = [];
  for (const f of report.failures) {
    const changed = [...f.before.filter((k) => !f.after.includes(k)).map((k) => k), ...f.after.filter((k) => !f.before.includes(k))];
    const gap = KNOWN_GAPS.find((g) => explains(g, f.transform, changed));
    if (gap) used.add(gap);
    else out.push(`${f.transform} on ${f.program}: before [${f.before.join(", ")}] after [${f.after.join(", ")}]`);
  }
  return out;
}

describe("metamorphic invariance", () => {
  it("every transform keeps the verdict on every fixture", () => {
    const programs = fixturePrograms(REPO_ROOT);
    expect(programs.length).toBeGreaterThan(100);
    const report = runInvariance(programs);
    expect(report.compileFailures.map((c) => `${c.transform} on ${c.program}: ${c.error}`)).toEqual([]);
    const applied = Object.values(report.perTransform).reduce((n, t) => n + t.applied, 0);
    expect(applied).toBeGreaterThan(200);
    for (const name of Object.keys(TRANSFORMS)) expect(report.perTransform[name]!.applied, `${name} never applied`).toBeGreaterThan(0);
    const used = new Set<KnownGap>();
    expect(unexplained(report, used)).toEqual([]);
    const stale = KNOWN_GAPS.filter((g) => g.seenIn === "fixtures" && !used.has(g)).map((g) => `${g.transform}: ${g.reason}`);
    expect(stale, "known gaps that no longer happen: delete them from known-gaps.ts").toEqual([]);
  }, 300_000);

  it("every transform keeps the verdict on SecCodePLT+ and SafeSQL train programs", async () => {
    const { programs, missing } = await datasetPrograms(DATASETS_DIR);
    for (const m of missing) process.stderr.write(`SKIP: dataset ${m} not found; metamorphic invariance over it skipped\n`);
    if (programs.length === 0) return;
    const report = runInvariance(programs);
    expect(report.compileFailures.map((c) => `${c.transform} on ${c.program}: ${c.error}`)).toEqual([]);
    const used = new Set<KnownGap>();
    expect(unexplained(report, used)).toEqual([]);
    if (missing.length === 0) {
      const stale = KNOWN_GAPS.filter((g) => g.seenIn === "datasets" && !used.has(g)).map((g) => `${g.transform}: ${g.reason}`);
      expect(stale, "known gaps that no longer happen: delete them from known-gaps.ts").toEqual([]);
    }
  }, 900_000);
});

