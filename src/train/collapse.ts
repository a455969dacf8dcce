/**
 * Detects a collapsing policy and stops the run with a message that says what happened. The
 * failure seen in a prototype (SFT's Adam state reused at a high learning rate) looked like this:
 * within a few steps the policy ran far from its reference (per-token KL of several nats) and its
 * reward fell below where it started. A policy that merely converges (entropy near 0 on a good
 * program) stays close to its reference's best answer and keeps its reward, so it is not stopped.
 * The baseline is the run's first step, also for a run resumed after kill -9: the resumed trainer
 * replays the metric rows its folder kept, so a policy that collapsed before the kill is still
 * measured against where the run started, not against its already-fallen reward.
 */
export class CollapseError extends Error {}

export interface CollapseLimits {
  /** Largest mean per-token KL to the reference (nats) before the run is stopped. */
  maxKl: number;
  /** Largest fall of the mean reward below the first step's (averaged over 3 steps). */
  maxRewardDrop: number;
}

export class CollapseGuard {
  private firstReward: number | null = null;
  private readonly recent: number[] = [];

  constructor(private readonly limits: CollapseLimits) {}

  /** Takes in the steps a resumed run already ran (metrics.jsonl up to its checkpoint), in order. */
  replay(rows: readonly Record<string, unknown>[]): void {
    for (const row of rows) if (typeof row.reward_mean === "number") this.observeReward(row.reward_mean);
  }

  private observeReward(reward: number): void {
    this.firstReward ??= reward;
    this.recent.push(reward);
    if (this.recent.length > 3) this.recent.shift();
  }

  /** Throws CollapseError when this step's metrics show a collapse. */
  check(step: number, m: Record<string, number>): void {
    for (const key of ["policy_loss", "kl", "entropy", "reward_mean"]) {
      if (key in m && !Number.isFinite(m[key])) throw new CollapseError(`step ${step}: ${key} is ${m[key]}: the update diverged; lower learning_rate`);
    }
    if (m.kl !== undefined && m.kl > this.limits.maxKl) {
      throw new CollapseError(
        `step ${step}: the policy collapsed: its KL to the reference is ${m.kl.toFixed(3)} nats/token (limit collapse_kl ${this.limits.maxKl}); lower learning_rate or raise the KL coefficient`,
      );
    }
    if (m.reward_mean === undefined) return;
    this.observeReward(m.reward_mean);
    const mean = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    if (this.recent.length === 3 && this.firstReward !== null && this.firstReward - mean > this.limits.maxRewardDrop) {
      throw new CollapseError(
        `step ${step}: the policy collapsed: mean reward ${mean.toFixed(3)} over the last 3 steps is ${(this.firstReward - mean).toFixed(3)} below the first step's ${this.firstReward.toFixed(3)} (limit collapse_reward_drop ${this.limits.maxRewardDrop}); lower learning_rate`,
      );
    }
  }
}
