/**
 * `securecoderl train ppo|grpo`: the in-process RL trainers. A separate module so that `train`
 * (and every other command) loads the tensor library only when an RL run actually starts.
 */
export interface RlCliOptions {
  tasks?: string;
  init?: string;
  out?: string;
  config?: string;
  seed?: string;
  rewardUrl?: string;
  spec?: string;
  limit?: string;
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Runs PPO or GRPO; resolves to the exit code (0 done, 1 stopped by the collapse guard). */
export async function runRlCommand(algorithm: "ppo" | "grpo", opts: RlCliOptions): Promise<number> {
  if (!opts.tasks) throw new Error(`${algorithm} needs --tasks PATH to compute rewards on`);
  if (!opts.out) throw new Error("--out DIR is required");
  const { getSpec } = await import("../reward/index.js");
  if (opts.spec) getSpec(opts.spec); // an unknown spec name fails here, before any model is loaded
  const { CollapseError } = await import("../train/collapse.js");
  const train = algorithm === "ppo" ? (await import("../train/ppo.js")).trainPpo : (await import("../train/grpo.js")).trainGrpo;
  const seed = positiveInt("--seed", opts.seed);
  const limit = positiveInt("--limit", opts.limit);
  try {
    const summary = await train({
      tasks: opts.tasks,
      out: opts.out,
      ...(opts.init ? { init: opts.init } : {}),
      ...(opts.config ? { configFile: opts.config } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(limit ? { limit } : {}),
      ...(opts.rewardUrl ? { rewardUrl: opts.rewardUrl } : {}),
      ...(opts.spec ? { spec: opts.spec } : {}),
    });
    const r = summary.last;
    process.stdout.write(
      `${algorithm} finished ${summary.steps} steps in ${summary.dir}: last step reward ${r.reward_mean?.toFixed(3)}, patched share ${r.patched_share?.toFixed(2)}, KL ${r.kl?.toFixed(4)}; see ${summary.dir}/report.html\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof CollapseError) {
      const { existsSync } = await import("node:fs");
      const kept = existsSync(`${opts.out}/checkpoint/state.json`) ? `the last checkpoint before it is in ${opts.out}/checkpoint` : "no checkpoint had been written yet";
      process.stderr.write(`securecoderl train ${algorithm}: stopped: ${err.message}\n(${kept}; metrics.jsonl and report.html show the run)\n`);
      return 1;
    }
    throw err;
  }
}
