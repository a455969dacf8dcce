/**
 * What PPO and GRPO share around their update rule: the run folder, the starting policy and its
 * frozen reference, the fresh optimizer, rewards, per-step random streams, checkpoints that
 * survive kill -9, metrics, the progress line and the collapse guard. ppo.ts and grpo.ts hold
 * only the algorithm.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint.js";
import type { Gpt } from "../model/gpt.js";
import { Adam } from "../model/optimizer.js";
import { seededRandom } from "../model/random.js";
import { initTensorBackend } from "../model/tensor.js";
import type { Tokenizer } from "../model/tokenizer.js";
import { loadTasks, type Task } from "../task/index.js";
import { CachedRewards, openRewardSource } from "./rewards.js";
import { RunFolder } from "./run-folder.js";
import { CollapseGuard } from "./collapse.js";
import { ProgressLine } from "./progress.js";
import { writeReport } from "./report.js";

export type RlAlgorithm = "ppo" | "grpo";

/** Settings every RL config carries (ppo.ts / grpo.ts add their own). */
export interface RlCommonConfig {
  steps: number;
  learning_rate: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_eps: number;
  max_new_tokens: number;
  temperature: number;
  checkpoint_every: number;
  /** Collapse guard (collapse.ts): stop when the policy has run away from its reference. */
  collapse_kl: number;
  collapse_reward_drop: number;
}

export interface RlRunOptions {
  /** Task file or folder (`--tasks`), or tasks already loaded. */
  tasks: string | readonly Task[];
  /** Only the first N tasks of the file (`--limit`). */
  limit?: number;
  out: string;
  /** Checkpoint folder, or a run folder whose checkpoint/ to start from (`--init`). */
  init?: string;
  /** JSON file of config overrides (`--config`). */
  configFile?: string;
  /** Overrides given in code (the acceptance script, tests); applied after the file's. */
  overrides?: Record<string, unknown>;
  seed?: number;
  rewardUrl?: string;
  spec?: string;
  /** Sandbox workers for in-process rewards. */
  jobs?: number;
  /** Progress on stderr (default true). */
  progress?: boolean;
}

/** Merges overrides into the defaults; an unknown key or a value of another type is an error, not silently ignored. */
export function resolveConfig<C extends object>(defaults: C, ...layers: (Record<string, unknown> | undefined)[]): C {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer ?? {})) {
      if (!(k in defaults)) throw new Error(`unknown config key ${JSON.stringify(k)} (known: ${Object.keys(defaults).join(", ")})`);
      const want = typeof (defaults as Record<string, unknown>)[k];
      if (typeof v !== want) throw new Error(`config key ${k} must be a ${want}, got ${JSON.stringify(v)}`);
      out[k] = v;
    }
  }
  return out as C;
}

async function readConfigFile(file: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (!file) return undefined;
  const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected a JSON object of hyperparameters`);
  return parsed as Record<string, unknown>;
}

async function loadTaskList(tasks: RlRunOptions["tasks"], limit: number | undefined): Promise<Task[]> {
  if (typeof tasks !== "string") return tasks.slice(0, limit ?? tasks.length);
  const loaded = await loadTasks(tasks, limit ? { limit } : {});
  for (const e of loaded.errors.slice(0, 5)) process.stderr.write(`securecoderl train: ${tasks} row ${e.index}${e.id ? ` (${e.id})` : ""} skipped: ${e.reason}\n`);
  if (loaded.tasks.length === 0) throw new Error(`${tasks} holds no usable task`);
  return loaded.tasks;
}

/** A checkpoint folder, or a run folder: its best model (SFT's DIR/model), else its latest checkpoint. */
function checkpointPath(init: string): string {
  if (existsSync(join(init, "config.json")) && existsSync(join(init, "weights.bin"))) return init;
  for (const sub of ["model", "checkpoint"]) if (existsSync(join(init, sub, "weights.bin"))) return join(init, sub);
  throw new Error(`--init ${init}: neither a checkpoint (config.json + weights.bin) nor a run folder with model/ or checkpoint/`);
}

export interface RlRun<C extends RlCommonConfig> {
  readonly algorithm: RlAlgorithm;
  readonly config: C;
  readonly seed: number;
  readonly dir: string;
  readonly tasks: Task[];
  readonly tokenizer: Tokenizer;
  readonly policy: Gpt;
  /** The frozen starting policy the KL terms pull towards. */
  readonly reference: Gpt;
  /** This run's own Adam: fresh at step 0, restored only from this run's checkpoint. */
  readonly optimizer: Adam;
  readonly rewards: CachedRewards;
  /** First step to run (0, or the step after the last checkpoint). */
  readonly startStep: number;
  /** The random stream of one step: derived from (seed, step), so a resumed run draws what an unbroken one would. */
  random(step: number, stream?: number): () => number;
  /** Logs the step, checks the collapse guard (throws CollapseError), checkpoints when due. */
  endStep(step: number, metrics: Record<string, number>): Promise<void>;
  close(): Promise<void>;
}

/** Hyperparameters plus what identifies the run; config.json holds both, and a resumed run reads them back. */
interface SavedRun {
  seed: number;
  init: string | null;
  spec: string;
  reward_url: string | null;
}

export async function openRlRun<C extends RlCommonConfig>(algorithm: RlAlgorithm, defaults: C, opts: RlRunOptions): Promise<RlRun<C>> {
  await initTensorBackend();
  const dir = opts.out;
  const resume = RunFolder.hasCheckpoint(dir);
  const requested = resolveConfig(defaults, await readConfigFile(opts.configFile), opts.overrides);
  const identity: SavedRun = { seed: opts.seed ?? 0, init: opts.init ?? null, spec: opts.spec ?? "real", reward_url: opts.rewardUrl ?? null };
  // Resuming: RunFolder gives back the saved config (a run never changes hyperparameters half-way) and drops metric rows after the checkpoint.
  const folder = await RunFolder.open(dir, { algorithm, config: { ...requested, ...identity }, resume });
  const saved = folder.config as Record<string, unknown>;
  const config = resolveConfig(defaults, Object.fromEntries(Object.entries(saved).filter(([k]) => k in defaults)));
  const run: SavedRun = resume ? { seed: Number(saved.seed ?? 0), init: (saved.init as string | null) ?? null, spec: String(saved.spec ?? "real"), reward_url: (saved.reward_url as string | null) ?? null } : identity;
  const tasks = await loadTaskList(opts.tasks, opts.limit);

  let policy: Gpt;
  let tokenizer: Tokenizer;
  let optimizer: Adam;
  const adamConfig = { lr: config.learning_rate, beta1: config.adam_beta1, beta2: config.adam_beta2, eps: config.adam_eps, weightDecay: 0 };
  if (folder.resumeStep > 0) {
    const ck = await folder.loadCheckpoint();
    // Only this run's own optimizer state is ever loaded: RunFolder refuses a folder of another
    // algorithm, and the state must say it was written by this RL algorithm.
    if (ck.state.extra?.algorithm !== algorithm) throw new Error(`${dir}/checkpoint was not written by ${algorithm}; RL never resumes another trainer's optimizer state`);
    ({ model: policy, tokenizer } = ck);
    optimizer = new Adam(policy.namedVariables(), adamConfig);
    optimizer.load(ck.optimizer);
    for (const t of Object.values(ck.optimizer)) t.dispose();
  } else {
    if (!run.init) throw new Error(`${algorithm} starts from a trained policy: give --init DIR (an SFT run folder or checkpoint)`);
    // Weights only: SFT's optimizer moments (sized for next-token loss, at SFT's learning rate) are never read.
    ({ model: policy, tokenizer } = await loadCheckpoint(checkpointPath(run.init)));
    if (algorithm === "ppo" && !policy.config.valueHead) {
      // PPO's critic: the policy's trunk plus a value head, added at zero so the policy is unchanged.
      const withHead = policy.withValueHead();
      policy.dispose();
      policy = withHead;
    }
    // The reference is saved in the run folder, so a resumed run needs nothing outside it.
    await saveCheckpoint(join(dir, "reference"), { model: policy, tokenizer, meta: { role: "reference", init: run.init } });
    optimizer = new Adam(policy.namedVariables(), adamConfig);
  }
  const loadedRef = (await loadCheckpoint(join(dir, "reference"))).model;
  const reference = loadedRef.copy();
  loadedRef.dispose();
  const startStep = folder.resumeStep;
  const rewards = new CachedRewards(openRewardSource({ tasks, spec: run.spec, ...(run.reward_url ? { rewardUrl: run.reward_url } : {}), ...(opts.jobs ? { jobs: opts.jobs } : {}), log: (l) => process.stderr.write(`${l}\n`) }));
  const guard = new CollapseGuard({ maxKl: config.collapse_kl, maxRewardDrop: config.collapse_reward_drop });
  // A resumed run keeps its collapse baseline (the first step's reward) and its recent rewards.
  if (startStep > 0) guard.replay(folder.metricsRows());
  const progress = new ProgressLine(algorithm, config.steps, opts.progress ?? true);
  if (startStep > 0) process.stderr.write(`securecoderl train ${algorithm}: resuming ${dir} after step ${startStep}\n`);

  return {
    algorithm,
    config,
    seed: run.seed,
    dir,
    tasks,
    tokenizer,
    policy,
    reference,
    optimizer,
    rewards,
    startStep,
    random: (step, stream = 0) => seededRandom((run.seed * 1_000_003 + step * 7919 + stream * 104_729) >>> 0),
    async endStep(step, metrics) {
      const done = step + 1;
      folder.appendMetrics({ step: done, ...metrics });
      progress.update(done, metrics);
      guard.check(done, metrics);
      if (done % config.checkpoint_every === 0 || done === config.steps) {
        const state = optimizer.state();
        // Per-step random streams derive from (seed, step): the seed is all the RNG state a resume needs.
        await folder.saveCheckpoint({ model: policy, tokenizer, optimizer: state, state: { step: done, rng: { seed: run.seed }, extra: { algorithm } } });
        state.step!.dispose();
      }
    },
    async close() {
      progress.done();
      await rewards.close();
      await writeReport(dir).catch((err: unknown) => process.stderr.write(`securecoderl train: report.html not written: ${(err as Error).message}\n`));
      optimizer.dispose();
      reference.dispose();
      policy.dispose();
    },
  };
}

/** When each phase of an RL step ended (Date.now()), as both trainers record them. */
export interface StepMarks {
  started: number;
  sampledAt: number;
  scoredAt: number;
  evaluatedAt: number;
}

/**
 * The step's time split (accept:train prints the totals): sampling, the verifier, the no-gradient
 * scoring pass, then the updates; and the programs the verifier had not seen before in this run.
 */
export function stepPhases(m: StepMarks, seconds: number, newPrograms: number) {
  return {
    sample_s: (m.sampledAt - m.started) / 1000,
    reward_s: (m.scoredAt - m.sampledAt) / 1000,
    new_programs: newPrograms,
    score_s: (m.evaluatedAt - m.scoredAt) / 1000,
    update_s: seconds - (m.evaluatedAt - m.started) / 1000,
  };
}
