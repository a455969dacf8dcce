import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTasks } from "../../src/task/index.js";
import { bothReferencePairs, DEMO, shortestPairedTasks } from "../../src/train/demo-tasks.js";
import { evaluateCheckpoint } from "../../src/train/evaluate.js";
import { trainGrpo } from "../../src/train/grpo.js";
import { CachedRewards, openRewardSource } from "../../src/train/rewards.js";
import { runSft, sftConfig } from "../../src/train/sft.js";
import { datasetPath } from "../helpers.js";

/**
 * A short version of the learning demonstration (npm run accept:train): the 8 shortest
 * SecCodePLT+ tasks, SFT on both references of each, then GRPO on the real reward from the real
 * sandbox and detector. One seed and fewer updates; the policy must end up earning more reward
 * and writing the patched program more often than the frozen SFT model. No timing is asserted.
 */
const data = datasetPath("seccodeplt-plus/train.parquet");
const dir = mkdtempSync(join(tmpdir(), "securecoderl-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!data)("learning demonstration (short)", () => {
  it("GRPO on the real reward raises reward and patched share over the frozen SFT model", async () => {
    const tasks = shortestPairedTasks((await loadTasks(data!)).tasks, DEMO.tasks);
    expect(tasks.length).toBe(8);
    const seed = 1;
    await runSft({ out: join(dir, "sft"), train: bothReferencePairs(tasks), validation: [], config: sftConfig(structuredClone(DEMO.sft) as Record<string, unknown>), seed, log: () => {} });
    await trainGrpo({ tasks, out: join(dir, "grpo"), init: join(dir, "sft", "model"), seed, overrides: { steps: 15, max_new_tokens: DEMO.maxNewTokens }, progress: false });

    const rewards = new CachedRewards(openRewardSource({ tasks, spec: "real" }));
    try {
      const opts = { samplesPerTask: 8, maxNewTokens: DEMO.maxNewTokens, seed: 4242 };
      const base = await evaluateCheckpoint(join(dir, "sft", "model"), tasks, rewards, opts);
      const trained = await evaluateCheckpoint(join(dir, "grpo", "checkpoint"), tasks, rewards, opts);
      process.stderr.write(`demo: SFT reward ${base.reward_mean.toFixed(3)} patched ${base.patched_share.toFixed(3)} → GRPO reward ${trained.reward_mean.toFixed(3)} patched ${trained.patched_share.toFixed(3)}\n`);
      // The SFT model writes both variants, so there is room to move in both directions.
      expect(base.patched_share).toBeGreaterThan(0.1);
      expect(base.vulnerable_share).toBeGreaterThan(0.1);
      expect(trained.reward_mean).toBeGreaterThan(base.reward_mean);
      expect(trained.patched_share).toBeGreaterThan(base.patched_share);
    } finally {
      await rewards.close();
    }

    // The run folder a user gets: one metrics row per step with the logged figures, and the report.
    const rows = readFileSync(join(dir, "grpo", "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    for (const key of ["reward_mean", "reward_function", "reward_quality", "pass_rate", "finding_rate", "patched_share", "kl", "entropy", "clip_fraction", "tokens_per_s"]) {
      expect(typeof rows[0]![key], key).toBe("number");
    }
    const report = readFileSync(join(dir, "grpo", "report.html"), "utf8");
    expect(report).toContain("<svg");
    expect(report).toContain("Mean reward");
    expect(report).not.toMatch(/<script|src="http/);
    expect(existsSync(join(dir, "grpo", "checkpoint", "optimizer.bin"))).toBe(true);
  }, 600_000);
});
