import { setMaxListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { ServerContext } from "./context.js";
import { authorized, HttpError, parseBody, readBody, sendError, sendJson } from "./http.js";
import { GetRewardSchema, handleGetReward } from "./openrlhf.js";
import { handleRewards, RewardsRequestSchema } from "./rewards.js";
import { handleRunCode, RunCodeSchema } from "./run-code.js";

/**
 * Routing for one server process. Every answer is JSON (Prometheus text on /metrics); every
 * failure is `{"error": {"code", "message"}}` with a status that says whose fault it is.
 */

type Handler<S extends z.ZodTypeAny> = { schema: S; run: (ctx: ServerContext, body: z.infer<S>, signal: AbortSignal) => Promise<unknown>; overload: number; queueWaitMs?: (body: z.infer<S>, ctx: ServerContext) => number };

const POST_ROUTES: Record<string, Handler<z.ZodTypeAny>> = {
  "/v1/rewards": { schema: RewardsRequestSchema, run: handleRewards as Handler<z.ZodTypeAny>["run"], overload: 503 },
  "/get_reward": { schema: GetRewardSchema, run: handleGetReward as Handler<z.ZodTypeAny>["run"], overload: 503 },
  "/run_code": {
    schema: RunCodeSchema,
    run: handleRunCode as Handler<z.ZodTypeAny>["run"],
    overload: 504,
    // verl gives up after compile + run timeout + 10 s: a run must start well before that, or 504 (which verl retries).
    queueWaitMs: (body: { compile_timeout?: number | null }, ctx) => Math.min(ctx.opts.deadlineMs, ((body.compile_timeout ?? 10) + 5) * 1000),
  },
};

/** Extra text for /metrics: the cluster-wide view when this process is one of several. */
export type MetricsSource = () => Promise<{ contentType: string; text: string }>;

export function createHandler(ctx: ServerContext, metricsText?: MetricsSource): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0]!;
    const route = path in POST_ROUTES || ["/healthz", "/readyz", "/metrics"].includes(path) ? path : "other";
    res.on("finish", () => {
      ctx.metrics.requests.inc({ route, code: String(res.statusCode) });
      ctx.metrics.requestSeconds.observe({ route }, (performance.now() - started) / 1000);
    });
    handle(ctx, req, res, path, metricsText).catch((err: unknown) => {
      const e = err instanceof HttpError ? err : new HttpError(500, "internal_error", `internal error: ${(err as Error)?.message ?? String(err)}`);
      if (e.status === 500) process.stderr.write(`securecoderl serve: ${req.method} ${path}: ${(err as Error)?.stack ?? String(err)}\n`);
      const reason = e.code === "queue_full" || e.code === "deadline_exceeded" || e.code === "body_too_large" || e.code === "unauthorized" || e.code === "draining" ? e.code : e.status < 500 ? "invalid" : null;
      if (reason) ctx.metrics.rejected.inc({ route, reason });
      sendError(res, e);
    });
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, path: string, metricsText?: MetricsSource): Promise<void> {
  if (path === "/healthz") {
    if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed("GET");
    return sendJson(res, 200, { ok: true });
  }
  if (path === "/readyz") {
    if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed("GET");
    const ready = ctx.state.ready && !ctx.state.draining;
    return sendJson(res, ready ? 200 : 503, {
      ready,
      ...(ctx.state.draining ? { reason: "draining" } : ctx.state.ready ? {} : { reason: "starting" }),
      version: ctx.version,
      spec: { name: ctx.opts.spec.name },
      tasks: { hash: ctx.stores.hash, count: ctx.stores.size, stores: ctx.stores.stores },
    });
  }
  if (!authorized(req, ctx.opts.token)) throw new HttpError(401, "unauthorized", "missing or wrong bearer token (Authorization: Bearer TOKEN)", { "www-authenticate": "Bearer" });
  if (path === "/metrics") {
    if (req.method !== "GET") throw methodNotAllowed("GET");
    const m = metricsText ? await metricsText() : { contentType: ctx.metrics.registry.contentType, text: await ctx.metrics.registry.metrics() };
    res.writeHead(200, { "content-type": m.contentType });
    res.end(m.text);
    return;
  }
  const route = POST_ROUTES[path];
  if (!route) throw new HttpError(404, "not_found", `no such endpoint: ${path} (POST /v1/rewards, /get_reward, /run_code; GET /healthz, /readyz, /metrics)`);
  if (req.method !== "POST") throw methodNotAllowed("POST");
  if (ctx.state.draining) throw new HttpError(route.overload, "draining", "this replica is shutting down; retry on another", { "retry-after": "1", connection: "close" });
  if (!ctx.state.ready) throw new HttpError(route.overload, "starting", "this replica is still starting; retry shortly", { "retry-after": "1" });
  const body = parseBody(await readBody(req, ctx.opts.maxBodyBytes), route.schema);
  // One signal for the deadline and for a client that hung up (its queued samples are not needed).
  // A plain timer, cleared with the request: AbortSignal.timeout would keep every request's signal
  // alive until its deadline, so memory would grow with the request rate.
  const stop = new AbortController();
  // Every queued sample of a batch listens to it: that is not a leak.
  setMaxListeners(0, stop.signal);
  const waitMs = route.queueWaitMs ? route.queueWaitMs(body, ctx) : ctx.opts.deadlineMs;
  const timer = setTimeout(() => stop.abort(), waitMs);
  res.on("close", () => {
    clearTimeout(timer);
    if (!res.writableFinished) stop.abort();
  });
  try {
    const answer = await route.run(ctx, body, stop.signal);
    sendJson(res, 200, answer);
  } finally {
    clearTimeout(timer);
  }
}

function methodNotAllowed(allowed: string): HttpError {
  return new HttpError(405, "method_not_allowed", `use ${allowed} here`, { allow: allowed });
}
