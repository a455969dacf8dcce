import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers.js";
import { readResults, tempDir } from "./helpers.js";
import { ALPHAS, pearson, realSpecAt, rewardAtAlpha } from "../../src/bench/analyze.js";
import { rewardUnder, rewardsOf } from "../../src/bench/report-rewards.js";

/**
 * `securecoderl analyze` on a real mini-benchmark run, its figures checked against what the run
 * itself computed (metrics.json, the stored rewards) and against properties the reward must have.
 */
describe("securecoderl analyze (mini benchmark run)", () => {
  let root: string;
  let out: string;
  let analysisDir: string;
  let a: any;
  let results: Record<string, any>[];
  let metrics: any;

  beforeAll(() => {
    root = tempDir();
    out = join(root, "run");
    analysisDir = join(root, "analysis-out");
    const bench = runCli(["bench", "--jobs", "2", "--quiet", "--out", out], { cwd: root });
    if (bench.status !== 0) throw new Error(`bench failed: ${bench.stderr}`);
    const r = runCli(["analyze", out, "--out", analysisDir, "--quiet"]);
    if (r.status !== 0) throw new Error(`analyze failed: ${r.stderr}`);
    expect(r.stdout).toBe("");
    a = JSON.parse(readFileSync(join(analysisDir, "analysis.json"), "utf8"));
    results = readResults(out);
    metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("per-spec rewards: stored ones, or recomputed from the verdict equal to what the run computed", () => {
    for (const r of results.filter((x) => x.status === "ok")) {
      const rewards = rewardsOf(r as any, metrics.run.analyzers);
      expect(Object.keys(rewards)).toEqual(expect.arrayContaining(["securecoderl", "real"]));
      // The run's own spec (securecoderl) was computed by the verifier; the report's value must agree.
      expect(rewards[r.reward.spec]!.reward).toBe(r.reward.value);
      expect(rewards[r.reward.spec]!.parts.function).toBe(r.reward.parts.function);
    }
  });

  it("the run spec's reward bins over all samples equal metrics.json's histogram", () => {
    const d = a.reward_distribution.find((x: any) => x.spec === metrics.run.reward_spec);
    expect(d.all).toEqual(metrics.overall.reward_histogram);
    expect(d.compiling_total).toBe(results.filter((r) => r.status === "ok" && r.compiled).length);
    for (const x of a.reward_distribution) expect(Object.values(x.compiling).reduce((s: number, n: any) => s + n, 0)).toBe(x.compiling_total);
  });

  it("the alpha sweep is linear in alpha (penalties fixed, no trivial code in the mini run) and ends at the pure parts", () => {
    const at = (alpha: number) => a.alpha_sweep.find((p: any) => p.alpha === alpha);
    for (const alpha of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      expect(at(alpha).mean_reward).toBeCloseTo((1 - alpha) * at(0).mean_reward + alpha * at(1).mean_reward, 9);
    }
    expect(at(1).correct_insecure).toBe(0);
    expect(at(1).incorrect_secure).toBe(1);
    expect(at(0).correct_secure).toBe(1);
    expect(at(0).correct_insecure).toBe(1);
  });

  it("the sweep's shortcut (score once, mix per alpha) equals computeReward under the REAL spec at every alpha", () => {
    let compared = 0;
    for (const r of results.filter((x) => x.status === "ok")) {
      const parts = rewardUnder(r as any, realSpecAt(0.5), metrics.run.analyzers)!.parts;
      for (const alpha of ALPHAS) {
        expect(rewardAtAlpha(parts, alpha)).toBe(rewardUnder(r as any, realSpecAt(alpha), metrics.run.analyzers)!.reward);
        compared++;
      }
    }
    expect(compared).toBe(22 * ALPHAS.length);
  });

  it("quality vs function: the 2x2 table counts every compiling sample and the correlation matches its points", () => {
    const q = a.quality_vs_function;
    const t = q.table;
    expect(t.correct_secure + t.correct_insecure + t.incorrect_secure + t.incorrect_insecure).toBe(q.points.length);
    expect(q.points.length).toBe(results.filter((r) => r.status === "ok" && r.compiled).length);
    expect(q.pearson).toBeCloseTo(pearson(q.points.map((p: any) => p.function), q.points.map((p: any) => p.quality))!, 12);
    expect(t.correct_secure).toBeGreaterThan(0);
    expect(t.incorrect_insecure).toBeGreaterThan(0);
  });

  it("per-CWE, per-difficulty and structure rows count the right samples", () => {
    const ok = results.filter((r) => r.status === "ok");
    for (const row of a.by_cwe) expect(row.samples).toBe(ok.filter((r) => `CWE-${r.cwe}` === row.key).length);
    expect(a.by_difficulty.map((r: any) => r.key).sort()).toEqual(["(none)", "introductory"]);
    expect(a.by_difficulty.reduce((s: number, r: any) => s + r.samples, 0)).toBe(ok.length);
    const all = a.structure.find((s: any) => s.group === "all");
    expect(all.module_level).toBe(ok.filter((r) => r.compiled && r.style === "call" && r.module_level_solution).length);
    expect(all.module_level).toBeGreaterThan(0);
  });

  it("pearson: +1, -1, and undefined for a constant series", () => {
    expect(pearson([0, 0.5, 1], [0, 1, 2])).toBeCloseTo(1, 12);
    expect(pearson([0, 0.5, 1], [1, 0, -1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [0, 1, 0])).toBeNull();
  });
});
