import { getSpec } from "../reward/index.js";
import type { Task } from "../task/schema.js";
import { RemoteVerifier, Verifier, type SampleResult, type SampleVerifier } from "../verify/index.js";

/**
 * Where the RL trainers get their rewards: the in-process Verifier (sandbox, analyzers, reward
 * spec), or running `securecoderl serve` replicas at `--reward-url` (the same trainer, remote
 * workers). Either way one sample in, one SampleResult out; the trainer never knows which.
 */
export interface RewardSourceOptions {
  /** Reward spec name (default `real`). */
  spec?: string;
  /** `URL[,URL...]` of serve replicas; absent: verify in-process. */
  rewardUrl?: string;
  /** Tasks the run will see, so the in-process verifier starts the analyzers their spec counts. */
  tasks: readonly Task[];
  /** Sandbox workers for the in-process verifier. */
  jobs?: number;
  log?: (line: string) => void;
}

export function openRewardSource(opts: RewardSourceOptions): SampleVerifier {
  const spec = getSpec(opts.spec ?? "real");
  if (opts.rewardUrl) return new RemoteVerifier(opts.rewardUrl, spec, { ...(opts.log ? { log: opts.log } : {}) });
  return new Verifier({ spec, tasks: opts.tasks, ...(opts.jobs ? { jobs: opts.jobs } : {}) });
}

/**
 * Verification is a pure function of (task, completion, spec), and a small policy repeats itself a
 * lot (a line-level model mostly writes one of a few programs), so each distinct completion is
 * verified once per run. The cache holds promises, so duplicates inside one batch wait for the same run.
 */
export class CachedRewards {
  private readonly cache = new Map<string, Promise<SampleResult>>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly source: SampleVerifier,
    private readonly maxEntries = 50_000,
  ) {}

  verify(task: Task, completion: string): Promise<SampleResult> {
    const key = `${task.source}\u0000${task.id}\u0000${completion}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    this.misses++;
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    const p = this.source.verify(task, completion);
    // A failed verification (a replica gone for good) is not remembered: the next step tries again.
    p.catch(() => this.cache.delete(key));
    this.cache.set(key, p);
    return p;
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
