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
 * Prints where the time went, per phase (SFT, evaluation sampling and verifying, and for each RL
 * run: sampling, verifying, the no-gradient scoring pass, the updates, and the rest: start-up,
 * checkpoints, report), wall and CPU.
 *
 *   npm run accept:train [-- --out DIR] [-- --seeds 1,2,3] [-- --steps N (profiling only)]
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
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
const secs = (x: number) => `${x.toFixed(1)} s`;

/** CPU seconds of this process, and of its children that have exited (sandbox workers of closed verifiers). */
function cpuNow(): { self: number; children: number } {
  const used = process.cpuUsage();
  let children = 0;
  try {
    // /proc/self/stat fields 16-17: cutime, cstime in clock ticks (100 per second on Linux).
    const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // Not Linux: children's CPU is not reported.
  }
  return { self: (used.user + used.system) / 1e6, children };
}

const RL_PHASES = ["sample_s", "reward_s", "score_s", "update_s"] as const;

/** Per-phase wall seconds of one RL run, summed from its metrics.jsonl; `other` is the rest of the run's wall time. */
function rlPhases(dir: string, wall: number): Record<(typeof RL_PHASES)[number] | "other", number> {
  const rows = readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, number>);
  const sum = (k: string) => rows.reduce((a, r) => a + (r[k] ?? 0), 0);
  const out = Object.fromEntries(RL_PHASES.map((k) => [k, sum(k)])) as Record<(typeof RL_PHASES)[number] | "other", number>;
  out.other = wall - sum("seconds");
  return out;
}

const phaseLine = (p: Record<string, number>) =>
  `sample ${secs(p.sample_s!)}, verify ${secs(p.reward_s!)}, score ${secs(p.score_s!)}, update ${secs(p.update_s!)}, other ${secs(p.other!)}`;

interface RlResult {
  seed: number;
  base: PolicyScore;
  trained: PolicyScore;
  seconds: number;
  cpuSelf: number;
  cpuChildren: number;
  phases: ReturnType<typeof rlPhases>;
}

async function main(): Promise<number> {
  if (!existsSync(DATA)) {
    console.log(`accept:train SKIPPED: ${DATA} is absent (the SecCodePLT+ train split lives in ../shared/datasets/)`);
    return 0;
  }
  const out = resolve(arg("out") ?? "runs/accept-train");
  const seeds = (arg("seeds") ?? "1,2,3").split(",").map(Number);
  // Profiling only: fewer RL updates than the demonstration (the goals are then not meaningful).
  const steps = arg("steps") ? Number(arg("steps")) : undefined;
  const setupStarted = Date.now();
  await initTensorBackend();
  const tasks = shortestPairedTasks((await loadTasks(DATA)).tasks, DEMO.tasks);
  const pairs = bothReferencePairs(tasks);
  console.log(`accept:train: ${tasks.length} shortest SecCodePLT+ tasks (${tasks.map((t) => t.id).join(", ")}), ${pairs.length} SFT pairs, seeds ${seeds.join(",")}, run folders in ${out}`);
  // One verifier for every measurement; the trainers each open their own (and so verify with a cache of their own).
  const rewards = new CachedRewards(openRewardSource({ tasks, spec: "real" }));
  const setupSeconds = (Date.now() - setupStarted) / 1000;
  const results: Record<"ppo" | "grpo", RlResult[]> = { ppo: [], grpo: [] };
  const profile = { sft: 0, evalSample: 0, evalVerify: 0 };
  const addEval = (s: PolicyScore) => {
    profile.evalSample += s.sample_s;
    profile.evalVerify += s.reward_s;
  };
  try {
    for (const seed of seeds) {
      const seedDir = join(out, `seed-${seed}`);
      rmSync(seedDir, { recursive: true, force: true });
      const t0 = Date.now();
      await runSft({ out: join(seedDir, "sft"), train: pairs, validation: [], config: sftConfig(structuredClone(DEMO.sft) as Record<string, unknown>), seed, log: () => {} });
      profile.sft += (Date.now() - t0) / 1000;
      const sftModel = join(seedDir, "sft", "model");
      // The same sampling stream for the frozen SFT model and each trained policy (common random numbers).
      const evalOpts = { samplesPerTask: DEMO.samplesPerTask, maxNewTokens: DEMO.maxNewTokens, seed: 1_000_000 + seed };
      const base = await evaluateCheckpoint(sftModel, tasks, rewards, evalOpts);
      addEval(base);
      console.log(`seed ${seed}: SFT (frozen) reward ${base.reward_mean.toFixed(3)}, patched ${base.patched_share.toFixed(3)}, vulnerable ${base.vulnerable_share.toFixed(3)} over ${base.samples} samples`);
      for (const algorithm of ["ppo", "grpo"] as const) {
        const dir = join(seedDir, algorithm);
        const started = Date.now();
        const cpu = cpuNow();
        const train = algorithm === "ppo" ? trainPpo : trainGrpo;
        await train({ tasks, out: dir, init: sftModel, seed, overrides: { ...DEMO[algorithm], max_new_tokens: DEMO.maxNewTokens, ...(steps ? { steps } : {}) }, progress: false });
        const seconds = (Date.now() - started) / 1000;
        const used = cpuNow();
        const r: RlResult = { seed, base, trained: base, seconds, cpuSelf: used.self - cpu.self, cpuChildren: used.children - cpu.children, phases: rlPhases(dir, seconds) };
        r.trained = await evaluateCheckpoint(join(dir, "checkpoint"), tasks, rewards, evalOpts);
        addEval(r.trained);
        results[algorithm].push(r);
        console.log(
          `seed ${seed} ${algorithm.toUpperCase().padEnd(4)}: reward ${r.trained.reward_mean.toFixed(3)} (${sign(r.trained.reward_mean - base.reward_mean)}), patched ${r.trained.patched_share.toFixed(3)} (${sign(r.trained.patched_share - base.patched_share)}); ${secs(seconds)} wall (${phaseLine(r.phases)}); CPU ${secs(r.cpuSelf)} trainer + ${secs(r.cpuChildren)} sandbox; ${join(dir, "report.html")}`,
        );
      }
    }
  } finally {
    await rewards.close();
  }
  let ok = true;
  console.log(`\nTime outside the RL budget: setup ${secs(setupSeconds)}, SFT ${secs(profile.sft)}, evaluation sampling ${secs(profile.evalSample)} and verifying ${secs(profile.evalVerify)} (${seeds.length * 3} evaluations of ${DEMO.tasks * DEMO.samplesPerTask} samples)`);
  for (const algorithm of ["ppo", "grpo"] as const) {
    const rs = results[algorithm];
    const mean = (f: (r: RlResult) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const total = (f: (r: RlResult) => number) => rs.reduce((a, r) => a + f(r), 0);
    const dReward = mean((r) => r.trained.reward_mean - r.base.reward_mean);
    const dPatched = mean((r) => r.trained.patched_share - r.base.patched_share);
    const seconds = total((r) => r.seconds);
    const phases = Object.fromEntries([...RL_PHASES, "other"].map((k) => [k, total((r) => r.phases[k as keyof RlResult["phases"]])]));
    const pass = dReward >= GOAL_REWARD && dPatched >= GOAL_PATCHED && seconds < BUDGET_S;
    ok &&= pass;
    console.log(
      `${algorithm.toUpperCase().padEnd(4)} mean over ${rs.length} seeds: reward ${sign(dReward)} (goal ≥ +${GOAL_REWARD}), patched share ${sign(dPatched)} (goal ≥ +${GOAL_PATCHED}) ${dReward >= GOAL_REWARD && dPatched >= GOAL_PATCHED ? "met" : "NOT met"}`,
    );
    console.log(
      `${algorithm.toUpperCase().padEnd(4)} RL time: ${secs(seconds)} wall for all ${rs.length} seeds (goal < ${BUDGET_S} s) ${seconds < BUDGET_S ? "met" : "NOT met"}; per seed ${rs.map((r) => `seed ${r.seed} ${secs(r.seconds)}`).join(", ")}; phases ${phaseLine(phases)}; CPU ${secs(total((r) => r.cpuSelf))} trainer + ${secs(total((r) => r.cpuChildren))} sandbox ${pass ? "PASS" : "FAIL"}`,
    );
  }
  // On a shared machine wall time swings with other work; the load average says how much.
  console.log(`load average (1/5/15 min): ${loadavg().map((x) => x.toFixed(2)).join(" / ")} on ${availableParallelism()} cores`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
