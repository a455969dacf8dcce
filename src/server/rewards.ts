import { z } from "zod";
import { toWireResult, type WireResponse } from "../verify/index.js";
import { settingsFor, verifySamples, type SampleRequest, type ServerContext } from "./context.js";
import { HttpError } from "./http.js";
import type { Resolved } from "./tasks.js";

/**
 * `POST /v1/rewards`, the batch API (docs/serving.md):
 *   {"spec"?, "judge"?, "limits"?, "analyzers"?, "items": [{"id"?, "task" | "ref" | "label", "completion"}]}
 * -> {"spec": {name, hash}, "server": {version}, "results": [...]} in request order. A sample's
 * failure is a result with `error`, never an HTTP error, so one bad sample cannot fail a batch.
 */

const ANALYZERS = ["rules", "vuln", "types"] as const;

const RefSchema = z.object({ dataset: z.string().min(1).optional(), task_id: z.union([z.string().min(1), z.number()]) }).strict();

const ItemSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    /** A Task object, or a JSON string of one. */
    task: z.unknown().optional(),
    ref: RefSchema.optional(),
    /** Any of the four label forms (a task id, a reference, a Task, a JSON string of either). */
    label: z.unknown().optional(),
    completion: z.string(),
  })
  .strict()
  .refine((i) => [i.task, i.ref, i.label].filter((v) => v !== undefined).length === 1, { message: 'each item needs exactly one of "task", "ref" or "label"' });

export const RewardsRequestSchema = z
  .object({
    spec: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    judge: z.enum(["strict", "apps"]).optional(),
    limits: z.object({ timeout_ms: z.number().int().positive().optional(), memory_mb: z.number().int().positive().optional() }).strict().optional(),
    analyzers: z.array(z.enum(ANALYZERS)).optional(),
    items: z.array(ItemSchema).min(1, "items must hold at least one sample"),
  })
  .strict();

export type RewardsRequest = z.infer<typeof RewardsRequestSchema>;

function resolveItem(ctx: ServerContext, item: RewardsRequest["items"][number]): Resolved {
  if (item.ref) return ctx.stores.byReference(item.ref.dataset, String(item.ref.task_id));
  if (item.task !== undefined) {
    // A JSON string of a Task is what verl rows carry in reward_model.ground_truth: taken as is.
    if (typeof item.task === "string") return item.task.trim().startsWith("{") ? ctx.stores.resolveLabel(item.task) : { taskId: null, error: "task must be a Task object or a JSON string of one" };
    return ctx.stores.fromObject(item.task);
  }
  return ctx.stores.resolveLabel(item.label);
}

export async function handleRewards(ctx: ServerContext, body: RewardsRequest, signal: AbortSignal): Promise<WireResponse> {
  const settings = settingsFor(ctx, body);
  if (body.items.length > ctx.opts.queue + ctx.opts.concurrency) {
    throw new HttpError(413, "batch_too_large", `a batch of ${body.items.length} samples can never fit this service's queue (${ctx.opts.queue} + ${ctx.opts.concurrency} running; serve --queue): send smaller batches`);
  }
  const samples: SampleRequest[] = body.items.map((item) => ({ resolved: resolveItem(ctx, item), completion: item.completion }));
  const answered = await verifySamples(ctx, "/v1/rewards", samples, settings, signal);
  return {
    spec: settings.specId,
    server: { version: ctx.version },
    results: answered.map((a, i) => toWireResult(body.items[i]!.id ?? i, a.result, a.cached)),
  };
}
