/**
 * GRPO (DeepSeekMath's group-relative policy optimisation), CleanRL style: every hyperparameter in
 * GRPO_DEFAULTS, each step a few lines with its reason. No value head: G samples of the same
 * prompt are each other's baseline. docs/training.md gives the formulas; rl-math.ts holds them on
 * plain arrays, losses.ts in tensor form.
 */
import { tokenLogProbs } from "../model/gpt.js";
import { clipByGlobalNorm } from "../model/optimizer.js";
import { tf } from "../model/tensor.js";
import { batchTensors, disposeBatch, gradients, mergeIdentical, minibatches, rowsTensor, scoreBatch, tokenKey } from "./batch-eval.js";
import { approxKlT, clippedPolicyLossT, klK3T, maskedMeanT } from "./losses.js";
import type { RlSummary } from "./ppo.js";
import { groupAdvantages } from "./rl-math.js";
import { openRlRun, stepPhases, type RlCommonConfig, type RlRunOptions } from "./rl-run.js";
import { packRollouts, rolloutMetrics, sampleRollouts, scoreRollouts } from "./rollout.js";

export const GRPO_DEFAULTS = {
  steps: 40, // policy updates
  prompts_per_step: 8, // distinct prompts per update (taken round-robin over the tasks)
  group_size: 4, // G: samples per prompt, the group each sample is compared with
  max_new_tokens: 16, // response length limit (tokens)
  temperature: 1, // sample from the policy itself, so the recorded log-probs are the behaviour policy's
  learning_rate: 3e-4,
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_eps: 1e-8,
  kl_coef: 0.04, // β of the k3 KL to the reference inside the loss (DeepSeekMath's 0.04)
  clip_eps: 0.2, // ε of the clipped ratio
  epochs: 2, // passes over one batch of rollouts (μ in the GRPO paper)
  minibatches: 2, // minibatches per pass
  max_grad_norm: 1, // global gradient-norm clip
  checkpoint_every: 5,
  collapse_kl: 2, // collapse guard: mean per-token KL to the reference (nats)
  collapse_reward_drop: 0.75, // collapse guard: fall of mean reward below the first step's
} satisfies RlCommonConfig & Record<string, number | boolean>;

export type GrpoConfig = typeof GRPO_DEFAULTS;

export async function trainGrpo(opts: RlRunOptions): Promise<RlSummary> {
  const run = await openRlRun("grpo", GRPO_DEFAULTS, opts);
  const { config: c, policy, reference, tokenizer, tasks } = run;
  let last: Record<string, number> = {};
  try {
    for (let step = run.startStep; step < c.steps; step++) {
      const started = Date.now();
      const random = run.random(step);

      // 1. Rollouts: G samples for each of this step's prompts (adjacent, so groups are contiguous).
      const picks: number[] = [];
      for (let p = 0; p < c.prompts_per_step; p++) for (let g = 0; g < c.group_size; g++) picks.push((step * c.prompts_per_step + p) % tasks.length);
      const generations = sampleRollouts(policy, tokenizer, tasks, picks, { maxNewTokens: c.max_new_tokens, temperature: c.temperature }, random);
      const sampledAt = Date.now();
      const verifiedBefore = run.rewards.misses;
      const scored = await scoreRollouts(run.rewards, tasks, picks, generations, -1);
      const scoredAt = Date.now();
      const batch = packRollouts(generations, policy.config.contextLength, c.max_new_tokens);

      // 2. Behaviour and reference log-probs of the sampled tokens, before any update.
      const old = scoreBatch(policy, reference, batch);
      const evaluatedAt = Date.now();

      // 3. Group-normalised advantages A_i = (r_i − mean_group) / (std_group + ε), the same for every token of sample i.
      const seqAdv = groupAdvantages(scored.map((s) => s.reward), c.group_size);
      const adv = batch.mask.map((row, b) => row.map((m) => m * seqAdv[b]!));

      // 4. Epochs of minibatch updates on the clipped ratio plus β·k3 KL to the reference.
      const sums = { policy_loss: 0, kl_loss: 0, clip_fraction: 0, approx_kl: 0, grad_norm: 0, n: 0 };
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        for (const mbRows of minibatches(scored.length, c.minibatches, random)) {
          // Identical samples of a group are computed once, weighted by their count (batch-eval.ts): the same loss for less work.
          const { rows, weights } = mergeIdentical(mbRows, (r) => `${tokenKey(batch, r)}|${adv[r]!.join(",")}`);
          const mb = batchTensors(batch, rows, weights);
          const mbOldLogp = rowsTensor(old.logp, rows, batch.length);
          const mbRefLogp = rowsTensor(old.refLogp, rows, batch.length);
          const mbAdv = rowsTensor(adv, rows, batch.length);
          const side: tf.Scalar[] = [];
          const { grads } = gradients(policy, () => {
            const logp = tokenLogProbs(policy.apply(mb.inputs).logits, mb.targets);
            const { loss: pg, clipFraction } = clippedPolicyLossT(logp, mbOldLogp, mbAdv, mb.mask, c.clip_eps);
            // The KL is a loss term here (not folded into the reward as in PPO): k3 is unbiased and never negative.
            const kl = maskedMeanT(klK3T(logp, mbRefLogp), mb.mask);
            side.push(tf.keep(pg), tf.keep(kl), tf.keep(clipFraction), tf.keep(approxKlT(logp, mbOldLogp, mb.mask)));
            return tf.add(pg, tf.mul(kl, c.kl_coef)) as tf.Scalar;
          });
          // Clip the global gradient norm, then one step of the run's own, fresh Adam.
          const clipped = clipByGlobalNorm(grads, c.max_grad_norm);
          run.optimizer.apply(clipped.grads);
          for (const g of new Set([...Object.values(grads), ...Object.values(clipped.grads)])) g.dispose();
          const [pg, kl, cf, akl] = side.map((x) => x.dataSync()[0]!) as [number, number, number, number];
          sums.policy_loss += pg;
          sums.kl_loss += kl;
          sums.clip_fraction += cf;
          sums.approx_kl += akl;
          sums.grad_norm += clipped.norm;
          sums.n++;
          for (const x of [...side, mbOldLogp, mbRefLogp, mbAdv]) x.dispose();
          disposeBatch(mb);
        }
      }

      // 5. Log the step, check for collapse, checkpoint when due.
      const seconds = (Date.now() - started) / 1000;
      const n = Math.max(1, sums.n);
      last = {
        ...rolloutMetrics(scored),
        kl: old.kl,
        entropy: old.entropy,
        policy_loss: sums.policy_loss / n,
        kl_loss: sums.kl_loss / n,
        clip_fraction: sums.clip_fraction / n,
        approx_kl: sums.approx_kl / n,
        grad_norm: sums.grad_norm / n,
        zero_advantage_share: seqAdv.filter((a) => a === 0).length / Math.max(1, seqAdv.length),
        tokens_per_s: batch.responseLength.reduce((a, b) => a + b, 0) / seconds,
        ...stepPhases({ started, sampledAt, scoredAt, evaluatedAt }, seconds, run.rewards.misses - verifiedBefore),
        seconds,
      };
      await run.endStep(step, last);
    }
  } finally {
    await run.close();
  }
  return { dir: run.dir, steps: c.steps, last };
}
