import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTasks } from "../../src/task/index.js";
import type { Task } from "../../src/task/schema.js";
import { bothReferencePairs, DEMO, shortestPairedTasks } from "../../src/train/demo-tasks.js";
import { evaluateCheckpoint, type PolicyScore } from "../../src/train/evaluate.js";
import { trainGrpo } from "../../src/train/grpo.js";
import { trainPpo } from "../../src/train/ppo.js";
import { CachedRewards, openRewardSource } from "../../src/train/rewards.js";
import { runSft, sftConfig } from "../../src/train/sft.js";
import { datasetPath } from "../helpers.js";

/**
 * A short version of the learning demonstration (npm run accept:train): the 8 shortest
 * SecCodePLT+ tasks, SFT on both references of each, then GRPO and PPO on the real reward from the
 * real sandbox and detector. One seed and fewer updates; each policy must end up earning more
 * reward and writing the patched program more often than the frozen SFT model. No timing is asserted.
 */
const data = datasetPath("seccodeplt-plus/train.parquet");
const dir = mkdtempSync(join(tmpdir(), "securecoderl-demo-"));
const seed = 1;
const evalOpts = { samplesPerTask: 8, maxNewTokens: DEMO.maxNewTokens, seed: 4242 };
let tasks: Task[] = [];
let rewards: CachedRewards | undefined;
let base: PolicyScore;

describe.skipIf(!data)("learning demonstration (short)", () => {
  beforeAll(async () => {
    tasks = shortestPairedTasks((await loadTasks(data!)).tasks, DEMO.tasks);
    expect(tasks.length).toBe(8);
    await runSft({ out: join(dir, "sft"), train: bothReferencePairs(tasks), validation: [], config: sftConfig(structuredClone(DEMO.sft) as Record<string, unknown>), seed, log: () => {} });
    rewards = new CachedRewards(openRewardSource({ tasks, spec: "real" }));
    base = await evaluateCheckpoint(join(dir, "sft", "model"), tasks, rewards, evalOpts);
    // The SFT model writes both variants, so there is room to move in both directions.
    expect(base.patched_share).toBeGreaterThan(0.1);
    expect(base.vulnerable_share).toBeGreaterThan(0.1);
  }, 600_000);
  afterAll(async () => {
    await rewards?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function trainedScore(name: string, checkpoint: string): Promise<PolicyScore> {
    const trained = await evaluateCheckpoint(checkpoint, tasks, rewards!, evalOpts);
    process.stderr.write(`demo: SFT reward ${base.reward_mean.toFixed(3)} patched ${base.patched_share.toFixed(3)} → ${name} reward ${trained.reward_mean.toFixed(3)} patched ${trained.patched_share.toFixed(3)}\n`);
    return trained;
  }

  it("GRPO on the real reward raises reward and patched share over the frozen SFT model", async () => {
    await trainGrpo({ tasks, out: join(dir, "grpo"), init: join(dir, "sft", "model"), seed, overrides: { steps: 15, max_new_tokens: DEMO.maxNewTokens }, progress: false });
    const trained = await trainedScore("GRPO", join(dir, "grpo", "checkpoint"));
    expect(trained.reward_mean).toBeGreaterThan(base.reward_mean);
    expect(trained.patched_share).toBeGreaterThan(base.patched_share);

    // The run folder a user gets: one metrics row per step with the logged figures, and the report.
    const rows = readFileSync(join(dir, "grpo", "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    for (const key of ["reward_mean", "reward_function", "reward_quality", "pass_rate", "finding_rate", "patched_share", "kl", "entropy", "clip_fraction", "tokens_per_s"]) {
      expect(typeof rows[0]![key], key).toBe("number");
    }
    const report = readFileSync(join(dir, "grpo", "report.html"), "utf8");
    expect(report).toContain("<svg");
    expect(report).toContain("Mean reward");
    expect(report).toContain("Patched vs vulnerable share");
    expect(report).not.toMatch(/<script|src="http/);
    expect(existsSync(join(dir, "grpo", "checkpoint", "optimizer.bin"))).toBe(true);
  }, 600_000);

  it("PPO on the real reward raises reward and patched share over the frozen SFT model", async () => {
    await trainPpo({ tasks, out: join(dir, "ppo"), init: join(dir, "sft", "model"), seed, overrides: { steps: PPO_STEPS, samples_per_step: DEMO.ppo.samples_per_step, max_new_tokens: DEMO.maxNewTokens }, progress: false });
    const trained = await trainedScore("PPO", join(dir, "ppo", "checkpoint"));
    expect(trained.reward_mean).toBeGreaterThan(base.reward_mean);
    expect(trained.patched_share).toBeGreaterThan(base.patched_share);
    const rows = readFileSync(join(dir, "ppo", "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
    for (const key of ["value_loss", "approx_kl", "epochs"]) expect(typeof rows[0]![key], key).toBe("number");
  }, 600_000);
});

/**
 * 15 of the demonstration's 40 updates, as GRPO above: on this seed (2026-12-05) PPO went from
 * reward 0.625 / patched 0.422 to 0.852 / 0.906, a wide margin for a short run.
 */
const PPO_STEPS = 15;
