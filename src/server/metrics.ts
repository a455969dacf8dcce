import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { SampleResult } from "../verify/index.js";

/**
 * The service's Prometheus metrics (GET /metrics, text format). With several worker processes
 * each keeps its own and the primary adds them up on request (prom-client's AggregatorRegistry):
 * counters and histograms are summed, so are the queue and in-progress gauges.
 */

/** How a sample ended, as one label (a dashboard's stacked chart). */
export type SampleOutcome = "passed_all" | "failed_tests" | "compile_error" | "no_code" | "unknown_task" | "judge_error";

export function sampleOutcome(r: SampleResult): SampleOutcome {
  if (r.status !== "ok" || r.reward === null) return "unknown_task";
  if (r.reward.parts.judge_error !== undefined) return "judge_error";
  if (r.reward.parts.no_code === 1) return "no_code";
  if (!r.compiled) return "compile_error";
  return r.passed === r.total ? "passed_all" : "failed_tests";
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"route" | "code">;
  readonly requestSeconds: Histogram<"route">;
  readonly samples: Counter<"route">;
  readonly outcomes: Counter<"outcome">;
  readonly testOutcomes: Counter<"status">;
  readonly sampleSeconds: Histogram;
  readonly rejected: Counter<"route" | "reason">;
  readonly sandboxErrors: Counter;
  readonly runCode: Counter<"status">;
  readonly cacheHits: Counter;

  private readonly info: Gauge<"version" | "spec" | "tasks_hash">;

  constructor(sources: { queueDepth: () => number; running: () => number; cacheEntries: () => number }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "securecoderl_" });
    this.requests = new Counter({ name: "securecoderl_http_requests_total", help: "HTTP requests answered, by route and status code", labelNames: ["route", "code"], registers });
    this.requestSeconds = new Histogram({
      name: "securecoderl_http_request_duration_seconds",
      help: "Time from request to answer, by route",
      labelNames: ["route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.samples = new Counter({ name: "securecoderl_samples_total", help: "Samples answered (from the verifier or the cache), by route", labelNames: ["route"], registers });
    this.outcomes = new Counter({ name: "securecoderl_sample_outcomes_total", help: "How verified samples ended", labelNames: ["outcome"], registers });
    this.testOutcomes = new Counter({ name: "securecoderl_test_outcomes_total", help: "Test outcomes of verified samples (the closed outcome set)", labelNames: ["status"], registers });
    this.sampleSeconds = new Histogram({
      name: "securecoderl_sample_duration_seconds",
      help: "Verification time of one sample, queue wait excluded",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.rejected = new Counter({ name: "securecoderl_rejected_total", help: "Requests refused (queue_full, deadline, body_too_large, unauthorized, draining, invalid)", labelNames: ["route", "reason"], registers });
    this.sandboxErrors = new Counter({ name: "securecoderl_sandbox_errors_total", help: "Tests and /run_code runs that ended in a sandbox failure (not the program's doing)", registers });
    this.runCode = new Counter({ name: "securecoderl_run_code_total", help: "/run_code answers by SandboxFusion status", labelNames: ["status"], registers });
    this.cacheHits = new Counter({ name: "securecoderl_cache_hits_total", help: "Samples answered from the result cache or joined to one being verified", registers });
    new Gauge({ name: "securecoderl_queue_depth", help: "Samples admitted and waiting to start", registers, collect() { this.set(sources.queueDepth()); } });
    new Gauge({ name: "securecoderl_samples_in_progress", help: "Samples being verified now", registers, collect() { this.set(sources.running()); } });
    new Gauge({ name: "securecoderl_cache_entries", help: "Results held by the cache", registers, collect() { this.set(sources.cacheEntries()); } });
    this.info = new Gauge({ name: "securecoderl_info", help: "Server version, default spec and task stores' hash", labelNames: ["version", "spec", "tasks_hash"], aggregator: "first", registers });
  }

  setInfo(info: { version: string; spec: string; tasks_hash: string }): void {
    this.info.reset();
    this.info.set(info, 1);
  }

  recordSample(route: string, r: SampleResult, cached: boolean, seconds?: number): void {
    this.samples.inc({ route });
    if (cached) {
      this.cacheHits.inc();
      return;
    }
    this.outcomes.inc({ outcome: sampleOutcome(r) });
    for (const t of r.tests) this.testOutcomes.inc({ status: t.status });
    const sandbox = r.tests.filter((t) => t.status === "sandbox_error").length;
    if (sandbox > 0) this.sandboxErrors.inc(sandbox);
    if (seconds !== undefined) this.sampleSeconds.observe(seconds);
  }
}
