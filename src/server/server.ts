import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Verifier } from "../verify/index.js";
import { Admission } from "./admission.js";
import { createHandler, type MetricsSource } from "./app.js";
import { ResultCache } from "./cache.js";
import type { ServerContext } from "./context.js";
import { ServerMetrics } from "./metrics.js";
import type { ServeOptions } from "./options.js";
import { TaskStores } from "./tasks.js";

/** The package version: part of every cache key and of /readyz, so replicas of different versions are told apart. */
export function serverVersion(): string {
  // dist/server/ and dist/bundle/ both sit two levels below the package root.
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: ServerContext;
  server: Server;
  /** Stops accepting, answers what is in flight, closes the sandbox pool. */
  drain(): Promise<void>;
}

/**
 * One server process: listens at once (so /healthz answers while task stores load), says ready
 * on /readyz once the stores are loaded and the sandbox workers are warm.
 */
export async function startServer(opts: ServeOptions, hooks: { log?: (line: string) => void; metricsText?: MetricsSource; listen?: boolean } = {}): Promise<RunningServer> {
  const log = hooks.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const version = serverVersion();
  const verifier = new Verifier({
    spec: opts.spec,
    jobs: opts.jobs,
    judgeMode: opts.judge,
    limits: { timeoutMs: opts.timeoutMs, memoryMb: opts.memoryMb },
    ...(opts.analyzers ? { analyzers: opts.analyzers } : {}),
  });
  const admission = new Admission(opts.concurrency, opts.queue);
  const cache = new ResultCache(opts.cacheEntries);
  const state = { ready: false, draining: false };
  const metrics = new ServerMetrics({ queueDepth: () => admission.depth, running: () => admission.running, cacheEntries: () => cache.size });
  const ctx: ServerContext = { opts, version, verifier, stores: TaskStores.empty(), admission, cache, metrics, state };
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 70_000, requestTimeout: 0 }, createHandler(ctx, hooks.metricsText));
  // Long batches may take minutes: no socket timeout; the request deadline bounds the work instead.
  server.timeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`;
  try {
    ctx.stores = await TaskStores.load(opts.tasks, log);
    metrics.setInfo({ version, spec: opts.spec.name, tasks_hash: ctx.stores.hash });
    await verifier.warm();
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await verifier.close();
    throw err;
  }
  state.ready = true;

  let draining: Promise<void> | undefined;
  const drain = () =>
    (draining ??= (async () => {
      state.draining = true;
      // Idle keep-alive connections close now; busy ones get `connection: close` on their answer.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      await closed;
      clearInterval(idle);
      await verifier.close();
    })());
  return { url, port, ctx, server, drain };
}
