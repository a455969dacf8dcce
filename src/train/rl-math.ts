/**
 * The arithmetic shared by PPO and GRPO, on plain arrays so every line can be checked against
 * hand-computed values (test/train/rl-math.test.ts). The tensor versions in the trainers follow
 * these exactly; docs/training.md gives the formulas.
 */

/**
 * Generalised advantage estimation over one response.
 * δ_t = r_t + γ·V_{t+1} − V_t (V after the last token is 0: the episode ends there),
 * A_t = δ_t + γλ·A_{t+1}; returns R_t = A_t + V_t are the value head's regression targets.
 */
export function gae(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number): {
  advantages: number[];
  returns: number[];
} {
  const n = rewards.length;
  const advantages = new Array<number>(n).fill(0);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const nextValue = t + 1 < n ? values[t + 1]! : 0;
    const delta = rewards[t]! + gamma * nextValue - values[t]!;
    next = delta + gamma * lambda * next;
    advantages[t] = next;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]!) };
}

/** Mean over the positions where mask is 1 (padding and prompt tokens carry mask 0). */
export function maskedMean(xs: readonly number[], mask: readonly number[]): number {
  let sum = 0;
  let count = 0;
  xs.forEach((x, i) => {
    if (mask[i]) {
      sum += x;
      count++;
    }
  });
  return count === 0 ? 0 : sum / count;
}

/**
 * Advantage whitening: subtract the mean and divide by the (population) standard deviation over
 * the batch, so the step size does not depend on the reward scale. ε keeps a constant batch finite.
 */
export function whiten(xs: readonly number[], mask?: readonly number[], eps = 1e-8): number[] {
  const m = mask ?? xs.map(() => 1);
  const mean = maskedMean(xs, m);
  const variance = maskedMean(
    xs.map((x) => (x - mean) ** 2),
    m,
  );
  return xs.map((x, i) => (m[i] ? (x - mean) / Math.sqrt(variance + eps) : 0));
}

/**
 * Per-token PPO-clip loss: −min(ρ·A, clip(ρ, 1−ε, 1+ε)·A) with ρ = exp(logp − logp_old).
 * Returns whether the clipped branch was the one taken, for the clip-fraction metric.
 */
export function clippedPolicyLoss(logp: number, oldLogp: number, advantage: number, clipEps: number): {
  loss: number;
  clipped: boolean;
} {
  const ratio = Math.exp(logp - oldLogp);
  const unclipped = ratio * advantage;
  const clippedRatio = Math.min(Math.max(ratio, 1 - clipEps), 1 + clipEps);
  const clippedTerm = clippedRatio * advantage;
  return { loss: -Math.min(unclipped, clippedTerm), clipped: clippedTerm < unclipped };
}

/**
 * Clipped value loss: ½·max((V−R)², (V_old + clip(V−V_old, −ε, ε) − R)²). The clip stops one
 * minibatch from moving the value head far from the values the advantages were computed with.
 */
export function clippedValueLoss(value: number, oldValue: number, ret: number, clipEps: number): number {
  const clippedValue = oldValue + Math.min(Math.max(value - oldValue, -clipEps), clipEps);
  return 0.5 * Math.max((value - ret) ** 2, (clippedValue - ret) ** 2);
}

/**
 * KL estimators between policy and reference from the sampled token's log-probs (Schulman's note):
 * k1 = logp − logp_ref (unbiased, can be negative: used as PPO's per-token penalty);
 * k3 = exp(logp_ref − logp) − (logp_ref − logp) − 1 (unbiased and never negative: GRPO's loss term).
 */
export function klK1(logp: number, refLogp: number): number {
  return logp - refLogp;
}
export function klK3(logp: number, refLogp: number): number {
  const logRatio = refLogp - logp;
  return Math.exp(logRatio) - logRatio - 1;
}

/**
 * PPO's per-token rewards: −β·k1 at every response token and the task reward added on the last one
 * (the verifier only scores whole programs).
 */
export function tokenRewards(taskReward: number, logps: readonly number[], refLogps: readonly number[], beta: number): number[] {
  const rewards = logps.map((lp, t) => -beta * klK1(lp, refLogps[t]!));
  if (rewards.length > 0) rewards[rewards.length - 1]! += taskReward;
  return rewards;
}

/**
 * GRPO's advantages: each sample's reward minus its group's mean, divided by the group's standard
 * deviation (+ε): the G samples for one prompt are their own baseline, so no value head is needed.
 */
export function groupAdvantages(rewards: readonly number[], groupSize: number, eps = 1e-6): number[] {
  if (rewards.length % groupSize !== 0) throw new Error(`got ${rewards.length} rewards, not a multiple of group size ${groupSize}`);
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group = rewards.slice(g, g + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    const std = Math.sqrt(group.reduce((a, r) => a + (r - mean) ** 2, 0) / groupSize);
    // A group whose samples all scored the same carries no signal: zero advantage, never 0/0.
    for (const r of group) out.push(std === 0 ? 0 : (r - mean) / (std + eps));
  }
  return out;
}

/** Approximate KL between the old and the new policy, for PPO's early stop: mean of ½(logp − logp_old)². */
export function approxKl(logps: readonly number[], oldLogps: readonly number[], mask: readonly number[]): number {
  return maskedMean(
    logps.map((lp, i) => 0.5 * (lp - oldLogps[i]!) ** 2),
    mask,
  );
}
