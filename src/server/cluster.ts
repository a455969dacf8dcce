import cluster, { type Worker } from "node:cluster";
import { writeFileSync } from "node:fs";
import { AggregatorRegistry } from "prom-client";
import type { ServeOptions } from "./options.js";
import { startServer, type RunningServer } from "./server.js";

/**
 * `serve` as one process or several (node:cluster). The sandbox already runs programs in
 * parallel, but extraction, analysis and JSON run on a process's one JS thread, so one process
 * cannot use a machine's cores: N worker processes share the listening port (the primary hands
 * connections round-robin), each with its own sandbox pool, queue and cache. The primary only
 * supervises: it restarts a worker that dies, adds up the workers' metrics for /metrics, and on
 * SIGTERM or SIGINT tells every worker to drain (stop accepting, answer what is in flight, close
 * the pool) before it exits.
 */

export interface ServeRun {
  workers: number;
  /** File to write the base URL to once every process is ready (clients' fallback, scripts with --port 0). */
  urlFile?: string;
  log?: (line: string) => void;
}

type Message = { type: "scrl-ready"; url: string } | { type: "scrl-metrics?"; id: number } | { type: "scrl-metrics"; id: number; text?: string; error?: string } | { type: "scrl-drain" };

function isMessage(m: unknown): m is Message {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string" && (m as { type: string }).type.startsWith("scrl-");
}

function describe(opts: ServeOptions, server: RunningServer, workers: number): string {
  const stores = server.ctx.stores;
  const tasks = stores.stores.length ? `${stores.size} tasks in ${stores.stores.map((s) => `${s.dataset} (${s.tasks})`).join(", ")}, hash ${stores.hash}` : "no task stores (requests must send their tasks)";
  return `securecoderl serve: listening on ${server.url} (${workers} process${workers > 1 ? "es" : ""} x ${opts.jobs} sandbox jobs, spec ${opts.spec.name}, judge ${opts.judge}); ${tasks}${opts.token ? "; bearer token required" : ""}`;
}

function writeUrl(path: string | undefined, url: string): void {
  if (path) writeFileSync(path, `${url}\n`);
}

export async function runServe(opts: ServeOptions, run: ServeRun): Promise<number> {
  const log = run.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (run.workers <= 1) return runSingle(opts, run, log);
  if (cluster.isPrimary) return runPrimary(opts, run, log);
  return runWorker(opts, log);
}

function onStopSignal(handler: (signal: string) => void): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => handler(signal));
}

async function runSingle(opts: ServeOptions, run: ServeRun, log: (line: string) => void): Promise<number> {
  const server = await startServer(opts, { log });
  writeUrl(run.urlFile, server.url);
  log(describe(opts, server, 1));
  await new Promise<void>((resolve) => {
    onStopSignal((signal) => {
      log(`securecoderl serve: ${signal}: draining (no new requests; answering those in flight)`);
      void server.drain().then(resolve);
    });
  });
  log("securecoderl serve: stopped");
  return 0;
}

async function runWorker(opts: ServeOptions, log: (line: string) => void): Promise<number> {
  const pending = new Map<number, (m: { text?: string; error?: string }) => void>();
  let next = 0;
  // The primary answers with every worker's metrics added up.
  const metricsText = () =>
    new Promise<{ contentType: string; text: string }>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the primary process did not answer the metrics request"));
      }, 10_000);
      pending.set(id, (m) => {
        clearTimeout(timer);
        if (m.text !== undefined) resolve({ contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE, text: m.text });
        else reject(new Error(m.error ?? "metrics unavailable"));
      });
      process.send?.({ type: "scrl-metrics?", id } satisfies Message);
    });
  const server = await startServer(opts, { log: () => {}, metricsText });
  // Constructing one in a worker is what makes prom-client answer the primary's metrics requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([server.ctx.metrics.registry]);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.drain().then(() => process.exit(0));
  };
  process.on("message", (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.type === "scrl-metrics") pending.get(m.id)?.(m);
    if (m.type === "scrl-drain") stop();
  });
  // A primary that died (kill -9) leaves its workers without a parent: they drain and go too.
  process.on("disconnect", stop);
  onStopSignal(stop);
  process.send?.({ type: "scrl-ready", url: server.url } satisfies Message);
  log(`securecoderl serve: worker ${process.pid} ready`);
  await new Promise<never>(() => {});
  return 0;
}

async function runPrimary(opts: ServeOptions, run: ServeRun, log: (line: string) => void): Promise<number> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let announced = false;
  const ready = new Set<number>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on("message", (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.type === "scrl-ready") {
        ready.add(worker.id);
        if (!announced && ready.size >= run.workers) {
          announced = true;
          writeUrl(run.urlFile, m.url);
          log(`securecoderl serve: listening on ${m.url} (${run.workers} processes x ${opts.jobs} sandbox jobs, spec ${opts.spec.name}, judge ${opts.judge}, ${opts.tasks.length} task store(s))${opts.token ? "; bearer token required" : ""}`);
        }
      }
      if (m.type === "scrl-metrics?") {
        aggregator.clusterMetrics().then(
          (text) => worker.send({ type: "scrl-metrics", id: m.id, text } satisfies Message),
          (err: Error) => worker.send({ type: "scrl-metrics", id: m.id, error: err.message } satisfies Message),
        );
      }
    });
    return worker;
  };
  let failures = 0;
  let startedAt = Date.now();
  let exitCode = 0;
  const done = new Promise<number>((resolve) => {
    cluster.on("exit", (worker, code, signal) => {
      ready.delete(worker.id);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
        return;
      }
      // A worker that dies before it ever served (bad --tasks, no sandbox) would die again: stop.
      if (!announced) {
        log(`securecoderl serve: a worker failed to start (exit ${code ?? signal}); see its message above`);
        stopping = true;
        exitCode = 1;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
        return;
      }
      failures = Date.now() - startedAt < 60_000 ? failures + 1 : 1;
      startedAt = Date.now();
      log(`securecoderl serve: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
      if (failures > 10) {
        log("securecoderl serve: workers keep dying; stopping");
        stopping = true;
        exitCode = 1;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
        return;
      }
      fork();
    });
  });
  for (let i = 0; i < run.workers; i++) fork();
  onStopSignal((signal) => {
    if (stopping) return;
    stopping = true;
    log(`securecoderl serve: ${signal}: draining ${Object.keys(cluster.workers ?? {}).length} workers (no new requests; answering those in flight)`);
    for (const w of Object.values(cluster.workers ?? {})) w?.send({ type: "scrl-drain" } satisfies Message);
  });
  const code = await done;
  log(code === 0 ? "securecoderl serve: stopped" : "securecoderl serve: could not start");
  return code;
}
