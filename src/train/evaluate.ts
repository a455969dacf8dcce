/**
 * Measuring a policy the way the learning demonstration does: fresh samples (N per task, at the
 * training temperature), each scored by the verifier and classified as the patched or the
 * vulnerable reference. Used by `npm run accept:train` and the demonstration test.
 */
import { loadCheckpoint } from "../model/checkpoint.js";
import type { Gpt } from "../model/gpt.js";
import { seededRandom } from "../model/random.js";
import type { Tokenizer } from "../model/tokenizer.js";
import type { Task } from "../task/schema.js";
import type { CachedRewards } from "./rewards.js";
import { rolloutMetrics, sampleRollouts, scoreRollouts } from "./rollout.js";

export interface PolicyScore {
  samples: number;
  reward_mean: number;
  patched_share: number;
  vulnerable_share: number;
  pass_rate: number;
  /** Wall seconds spent sampling and verifying (accept:train's per-phase profile). */
  sample_s: number;
  reward_s: number;
}

export async function evaluatePolicy(
  model: Gpt,
  tokenizer: Tokenizer,
  tasks: readonly Task[],
  rewards: CachedRewards,
  opts: { samplesPerTask: number; maxNewTokens: number; temperature?: number; seed: number },
): Promise<PolicyScore> {
  const picks = tasks.flatMap((_, i) => new Array<number>(opts.samplesPerTask).fill(i));
  const started = Date.now();
  const generations = sampleRollouts(model, tokenizer, tasks, picks, { maxNewTokens: opts.maxNewTokens, temperature: opts.temperature ?? 1 }, seededRandom(opts.seed));
  const sampledAt = Date.now();
  const m = rolloutMetrics(await scoreRollouts(rewards, tasks, picks, generations, -1));
  return {
    samples: picks.length,
    reward_mean: m.reward_mean!,
    patched_share: m.patched_share ?? 0,
    vulnerable_share: m.vulnerable_share ?? 0,
    pass_rate: m.pass_rate!,
    sample_s: (sampledAt - started) / 1000,
    reward_s: (Date.now() - sampledAt) / 1000,
  };
}

/** The same, for a checkpoint folder (an SFT run's model/, an RL run's checkpoint/). */
export async function evaluateCheckpoint(dir: string, tasks: readonly Task[], rewards: CachedRewards, opts: Parameters<typeof evaluatePolicy>[4]): Promise<PolicyScore> {
  const { model, tokenizer } = await loadCheckpoint(dir);
  try {
    return await evaluatePolicy(model, tokenizer, tasks, rewards, opts);
  } finally {
    model.dispose();
  }
}
