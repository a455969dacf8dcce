import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { SampleResult } from "../verify/index.js";

/**
 * Results by (task, program, spec, settings, server version), where the program is what the one
 * extractor takes out of the completion (the verdict depends on nothing else in it). GRPO scores several samples of a
 * prompt and engines resend batches after a timeout, so the same question comes back often; the
 * answer is a pure function of the key. A sample being verified right now is shared too: a second
 * request for it waits on the first instead of judging it again.
 *
 * Not kept: results that a retry could change (a sandbox failure, an analyzer that ran out of
 * time under load), so one bad moment is not frozen into every later answer.
 */
export class ResultCache {
  private readonly lru: LRUCache<string, SampleResult> | null;
  private readonly inflight = new Map<string, Promise<SampleResult>>();
  hits = 0;

  constructor(maxEntries: number, maxBytes = 512 * 1024 * 1024) {
    this.lru = maxEntries > 0 ? new LRUCache<string, SampleResult>({ max: maxEntries, maxSize: maxBytes, sizeCalculation: approximateSize }) : null;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  static key(parts: { version: string; specHash: string; settings: string; taskHash: string; program: string }): string {
    return createHash("sha256")
      .update(`${parts.version}\u0000${parts.specHash}\u0000${parts.settings}\u0000${parts.taskHash}\u0000`)
      .update(parts.program)
      .digest("base64url");
  }

  /** A finished result, or the promise of one being computed now, or undefined. */
  lookup(key: string): SampleResult | Promise<SampleResult> | undefined {
    const done = this.lru?.get(key);
    if (done) {
      this.hits++;
      return done;
    }
    const running = this.inflight.get(key);
    if (running) this.hits++;
    return running;
  }

  /** Registers a computation so duplicates share it, and keeps its result if it is deterministic. */
  track(key: string, work: Promise<SampleResult>): Promise<SampleResult> {
    this.inflight.set(key, work);
    work.then(
      (result) => {
        this.inflight.delete(key);
        if (this.lru && cacheable(result)) this.lru.set(key, { ...result, completion: null });
      },
      () => this.inflight.delete(key),
    );
    return work;
  }
}

function cacheable(r: SampleResult): boolean {
  return r.status === "ok" && r.reward !== null && r.reward.parts.judge_error === undefined && r.analysis_errors.length === 0;
}

/** Rough bytes a result holds (its text form), so a few huge programs cannot fill memory. */
function approximateSize(r: SampleResult): number {
  return Math.max(1, (r.code?.length ?? 0) * 2 + JSON.stringify(r.tests).length + JSON.stringify(r.findings).length + 512);
}
