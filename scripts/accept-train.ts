/**
 * `npm run accept:train`: the learning demonstration of issue 12. On the 8 shortest SecCodePLT+
 * train tasks, a 2-layer d=64 model with line-level tokens is SFT'd on both the patched and the
 * vulnerable reference of each task, then trained with PPO and with GRPO on the `real` reward.
 * For 3 seeds, each policy is measured on 128 fresh samples (16 per task) against the frozen SFT
 * model it started from: mean `real` reward and the share of patched programs (a sample counts as
 * patched when its lines equal the patched reference's; see rollout.ts classifyVariant).
 * Goals: mean over seeds ≥ +0.10 reward and ≥ +0.20 patched share, for both algorithms, in under
 * 5 minutes per algorithm (all three seeds' RL runs) on 2 cores.
 *
 *   npm run accept:train [-- --out DIR] [-- --seeds 1,2,3]
 */
import { existsSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadTasks } from "../src/task/index.js";
import { initTensorBackend } from "../src/model/tensor.js";
import { evaluateCheckpoint, type PolicyScore } from "../src/train/evaluate.js";
import { bothReferencePairs, DEMO, shortestPairedTasks } from "../src/train/demo-tasks.js";
import { trainGrpo } from "../src/train/grpo.js";
import { trainPpo } from "../src/train/ppo.js";
import { CachedRewards, openRewardSource } from "../src/train/rewards.js";
import { runSft, sftConfig } from "../src/train/sft.js";

const DATA = resolve("../shared/datasets/seccodeplt-plus/train.parquet");
const GOAL_REWARD = 0.1;
const GOAL_PATCHED = 0.2;
const BUDGET_S = 300;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const sign = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;

async function main(): Promise<number> {
  if (!existsSync(DATA)) {
    console.log(`accept:train SKIPPED: ${DATA} is absent (the SecCodePLT+ train split lives in ../shared/datasets/)`);
    return 0;
  }
  const out = resolve(arg("out") ?? "runs/accept-train");
  const seeds = (arg("seeds") ?? "1,2,3").split(",").map(Number);
  await initTensorBackend();
  const tasks = shortestPairedTasks((await loadTasks(DATA)).tasks, DEMO.tasks);
  const pairs = bothReferencePairs(tasks);
  console.log(`accept:train: ${tasks.length} shortest SecCodePLT+ tasks (${tasks.map((t) => t.id).join(", ")}), ${pairs.length} SFT pairs, seeds ${seeds.join(",")}, run folders in ${out}`);
  // One verifier for every measurement; the trainers each open their own.
  const rewards = new CachedRewards(openRewardSource({ tasks, spec: "real" }));
  const results: Record<"ppo" | "grpo", { seed: number; base: PolicyScore; trained: PolicyScore; seconds: number; cpuSeconds: number }[]> = { ppo: [], grpo: [] };
  let sftSeconds = 0;
  try {
    for (const seed of seeds) {
      const seedDir = join(out, `seed-${seed}`);
      rmSync(seedDir, { recursive: true, force: true });
      const t0 = Date.now();
      await runSft({ out: join(seedDir, "sft"), train: pairs, validation: [], config: sftConfig(structuredClone(DEMO.sft) as Record<string, unknown>), seed, log: () => {} });
      sftSeconds += (Date.now() - t0) / 1000;
      const sftModel = join(seedDir, "sft", "model");
      // The same sampling stream for the frozen SFT model and each trained policy (common random numbers).
      const evalOpts = { samplesPerTask: DEMO.samplesPerTask, maxNewTokens: DEMO.maxNewTokens, seed: 1_000_000 + seed };
      const base = await evaluateCheckpoint(sftModel, tasks, rewards, evalOpts);
      console.log(`seed ${seed}: SFT (frozen) reward ${base.reward_mean.toFixed(3)}, patched ${base.patched_share.toFixed(3)}, vulnerable ${base.vulnerable_share.toFixed(3)} over ${base.samples} samples`);
      for (const algorithm of ["ppo", "grpo"] as const) {
        const dir = join(seedDir, algorithm);
        const started = Date.now();
        const cpu = process.cpuUsage();
        const train = algorithm === "ppo" ? trainPpo : trainGrpo;
        await train({ tasks, out: dir, init: sftModel, seed, overrides: { ...DEMO[algorithm], max_new_tokens: DEMO.maxNewTokens }, progress: false });
        const seconds = (Date.now() - started) / 1000;
        const used = process.cpuUsage(cpu);
        const cpuSeconds = (used.user + used.system) / 1e6;
        const trained = await evaluateCheckpoint(join(dir, "checkpoint"), tasks, rewards, evalOpts);
        results[algorithm].push({ seed, base, trained, seconds, cpuSeconds });
        console.log(
          `seed ${seed} ${algorithm.toUpperCase().padEnd(4)}: reward ${trained.reward_mean.toFixed(3)} (${sign(trained.reward_mean - base.reward_mean)}), patched ${trained.patched_share.toFixed(3)} (${sign(trained.patched_share - base.patched_share)}), ${seconds.toFixed(0)} s (${cpuSeconds.toFixed(0)} s CPU in this process); ${join(dir, "report.html")}`,
        );
      }
    }
  } finally {
    await rewards.close();
  }
  let ok = true;
  console.log(`\nSFT: ${sftSeconds.toFixed(0)} s over ${seeds.length} seeds (not part of the per-algorithm budget)`);
  for (const algorithm of ["ppo", "grpo"] as const) {
    const rs = results[algorithm];
    const mean = (f: (r: (typeof rs)[number]) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const dReward = mean((r) => r.trained.reward_mean - r.base.reward_mean);
    const dPatched = mean((r) => r.trained.patched_share - r.base.patched_share);
    const seconds = rs.reduce((a, r) => a + r.seconds, 0);
    const cpuSeconds = rs.reduce((a, r) => a + r.cpuSeconds, 0);
    const pass = dReward >= GOAL_REWARD && dPatched >= GOAL_PATCHED && seconds < BUDGET_S;
    ok &&= pass;
    console.log(
      `${algorithm.toUpperCase().padEnd(4)} mean over ${rs.length} seeds: reward ${sign(dReward)} (goal ≥ +${GOAL_REWARD}), patched share ${sign(dPatched)} (goal ≥ +${GOAL_PATCHED}), RL time ${seconds.toFixed(0)} s wall (goal < ${BUDGET_S} s), ${cpuSeconds.toFixed(0)} s CPU in the trainer process (sandbox workers not counted) ${pass ? "PASS" : "FAIL"}`,
    );
  }
  // On a shared machine wall time swings with other work; the load average says how much.
  console.log(`load average (1/5/15 min): ${loadavg().map((x) => x.toFixed(2)).join(" / ")} on ${availableParallelism()} cores`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
