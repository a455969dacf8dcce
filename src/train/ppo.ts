/**
 * PPO for code generation, CleanRL style: every hyperparameter in PPO_DEFAULTS, then one loop
 * where each step is a few lines with the reason for it. docs/training.md gives each formula;
 * rl-math.ts holds them on plain arrays (tested by hand), losses.ts in tensor form.
 */
import { tokenEntropy, tokenLogProbs } from "../model/gpt.js";
import { clipByGlobalNorm } from "../model/optimizer.js";
import { tf } from "../model/tensor.js";
import { batchTensors, disposeBatch, gradients, mergeIdentical, minibatches, rowsTensor, scoreBatch, tokenKey } from "./batch-eval.js";
import { approxKlT, clippedPolicyLossT, clippedValueLossT, maskedMeanT } from "./losses.js";
import { gae, tokenRewards, whiten } from "./rl-math.js";
import { openRlRun, stepPhases, type RlCommonConfig, type RlRunOptions } from "./rl-run.js";
import { packRollouts, rolloutMetrics, sampleRollouts, scoreRollouts } from "./rollout.js";

export const PPO_DEFAULTS = {
  steps: 40, // policy updates (each: one batch of rollouts, then `epochs` passes over it)
  samples_per_step: 32, // rollouts per update, spread evenly over the tasks
  max_new_tokens: 16, // response length limit (tokens)
  temperature: 1, // sample from the policy itself, so the recorded log-probs are the behaviour policy's
  learning_rate: 1e-4, // 3e-4 made single updates jump the policy far from its reference on the demonstration
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_eps: 1e-5, // as CleanRL's PPO: a tiny second moment cannot turn noise into full-size steps
  kl_coef: 0.1, // β of the per-token KL penalty to the reference (the SecureCodeRL paper's 0.1)
  gamma: 1, // no discount: the task reward arrives at the last token and is all that matters
  gae_lambda: 0.95, // λ of GAE: bias (λ→0, trust V) versus variance (λ→1, trust the sampled reward)
  whiten_advantages: true, // zero mean, unit variance over the batch's response tokens
  clip_eps: 0.2, // ε of the clipped ratio
  value_clip_eps: 0.2, // ε of the clipped value loss
  vf_coef: 0.5, // weight of the value loss (the critic shares the policy's trunk)
  ent_coef: 0.001, // entropy bonus: keeps some exploration; larger values fought convergence on the demonstration
  epochs: 4, // passes over one batch of rollouts
  minibatches: 4, // minibatches per pass (the paper's 4)
  max_grad_norm: 1, // global gradient-norm clip
  target_kl: 0.01, // stop this update's epochs once approximate KL to the behaviour policy passes it
  checkpoint_every: 5,
  collapse_kl: 2, // collapse guard: mean per-token KL to the reference (nats)
  collapse_reward_drop: 0.75, // collapse guard: fall of mean reward below the first step's
} satisfies RlCommonConfig & Record<string, number | boolean>;

export type PpoConfig = typeof PPO_DEFAULTS;

export interface RlSummary {
  dir: string;
  steps: number;
  last: Record<string, number>;
}

export async function trainPpo(opts: RlRunOptions): Promise<RlSummary> {
  const run = await openRlRun("ppo", PPO_DEFAULTS, opts);
  const { config: c, policy, reference, tokenizer, tasks } = run;
  let last: Record<string, number> = {};
  try {
    for (let step = run.startStep; step < c.steps; step++) {
      const started = Date.now();
      const random = run.random(step);

      // 1. Rollouts: sample from the current policy, score each program with the verifier.
      const picks = Array.from({ length: c.samples_per_step }, (_, i) => i % tasks.length);
      const generations = sampleRollouts(policy, tokenizer, tasks, picks, { maxNewTokens: c.max_new_tokens, temperature: c.temperature }, random);
      const sampledAt = Date.now();
      const verifiedBefore = run.rewards.misses;
      const scored = await scoreRollouts(run.rewards, tasks, picks, generations, -1);
      const scoredAt = Date.now();
      const batch = packRollouts(generations, policy.config.contextLength, c.max_new_tokens);

      // 2. Behaviour log-probs and values (what the ratio and the value clip compare against), and the reference's log-probs.
      const old = scoreBatch(policy, reference, batch);
      const evaluatedAt = Date.now();

      // 3. Per-token rewards r_t = −β·(log π − log π_ref), plus the task reward on the last token; then GAE.
      const advantages = batch.mask.map((row) => row.map(() => 0));
      const returns = batch.mask.map((row) => row.map(() => 0));
      scored.forEach((s, b) => {
        const from = batch.responseStart[b]!;
        const to = from + batch.responseLength[b]!;
        const rewards = tokenRewards(s.reward, old.logp[b]!.slice(from, to), old.refLogp[b]!.slice(from, to), c.kl_coef);
        const est = gae(rewards, old.values![b]!.slice(from, to), c.gamma, c.gae_lambda);
        for (let t = from; t < to; t++) {
          advantages[b]![t] = est.advantages[t - from]!;
          returns[b]![t] = est.returns[t - from]!;
        }
      });

      // 4. Whiten advantages over all response tokens, so the step size does not depend on the reward scale.
      const flatMask = batch.mask.flat();
      const flatAdv = c.whiten_advantages ? whiten(advantages.flat(), flatMask) : advantages.flat();
      const adv = batch.mask.map((row, b) => row.map((_, t) => flatAdv[b * batch.length + t]!));

      // 5. Several epochs of minibatch updates on the clipped objective; stop early once the policy has moved target_kl.
      const sums = { policy_loss: 0, value_loss: 0, entropy: 0, clip_fraction: 0, approx_kl: 0, grad_norm: 0, n: 0 };
      let epochsRun = 0;
      let stop = false;
      for (let epoch = 0; epoch < c.epochs && !stop; epoch++) {
        let epochKl = 0;
        const mbs = minibatches(scored.length, c.minibatches, random);
        for (const mbRows of mbs) {
          // Identical samples are computed once, weighted by their count (batch-eval.ts): the same loss for less work.
          const { rows, weights } = mergeIdentical(mbRows, (r) => `${tokenKey(batch, r)}|${adv[r]!.join(",")}|${returns[r]!.join(",")}`);
          const mb = batchTensors(batch, rows, weights);
          const mbOldLogp = rowsTensor(old.logp, rows, batch.length);
          const mbOldValues = rowsTensor(old.values!, rows, batch.length);
          const mbAdv = rowsTensor(adv, rows, batch.length);
          const mbReturns = rowsTensor(returns, rows, batch.length);
          const side: tf.Scalar[] = [];
          const { grads } = gradients(policy, () => {
            const { logits, values } = policy.apply(mb.inputs);
            const logp = tokenLogProbs(logits, mb.targets);
            // L = L_clip + c_v·L_value − c_e·H: the critic trains on the same trunk, entropy keeps exploration.
            const { loss: pg, clipFraction } = clippedPolicyLossT(logp, mbOldLogp, mbAdv, mb.mask, c.clip_eps);
            const vLoss = clippedValueLossT(values!, mbOldValues, mbReturns, mb.mask, c.value_clip_eps);
            const entropy = maskedMeanT(tokenEntropy(logits), mb.mask);
            side.push(tf.keep(pg), tf.keep(vLoss), tf.keep(entropy), tf.keep(clipFraction), tf.keep(approxKlT(logp, mbOldLogp, mb.mask)));
            return tf.sub(tf.add(pg, tf.mul(vLoss, c.vf_coef)), tf.mul(entropy, c.ent_coef)) as tf.Scalar;
          });
          // Clip the global gradient norm, then one Adam step (the RL run's own, fresh optimizer).
          const clipped = clipByGlobalNorm(grads, c.max_grad_norm);
          run.optimizer.apply(clipped.grads);
          for (const g of new Set([...Object.values(grads), ...Object.values(clipped.grads)])) g.dispose();
          const [pg, vl, ent, cf, kl] = side.map((x) => x.dataSync()[0]!) as [number, number, number, number, number];
          sums.policy_loss += pg;
          sums.value_loss += vl;
          sums.entropy += ent;
          sums.clip_fraction += cf;
          sums.approx_kl += kl;
          sums.grad_norm += clipped.norm;
          sums.n++;
          epochKl += kl / mbs.length;
          for (const x of [...side, mbOldLogp, mbOldValues, mbAdv, mbReturns]) x.dispose();
          disposeBatch(mb);
          // One minibatch already far past the target (1.5×, as Spinning Up): stop this update at once.
          if (kl > 1.5 * c.target_kl) {
            stop = true;
            break;
          }
        }
        epochsRun++;
        if (epochKl > c.target_kl) stop = true;
      }

      // 6. Log the step (metrics.jsonl, progress line), check for collapse, checkpoint when due.
      const seconds = (Date.now() - started) / 1000;
      const sampled = batch.responseLength.reduce((a, b) => a + b, 0);
      const n = Math.max(1, sums.n);
      last = {
        ...rolloutMetrics(scored),
        kl: old.kl,
        entropy: old.entropy,
        policy_loss: sums.policy_loss / n,
        value_loss: sums.value_loss / n,
        clip_fraction: sums.clip_fraction / n,
        approx_kl: sums.approx_kl / n,
        grad_norm: sums.grad_norm / n,
        epochs: epochsRun,
        tokens_per_s: sampled / seconds,
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
