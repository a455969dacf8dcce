import { z } from "zod";
import type { SampleResult } from "../verify/index.js";
import { settingsFor, verifySamples, type ServerContext } from "./context.js";
import { HttpError } from "./http.js";

/**
 * `POST /get_reward`, OpenRLHF's remote reward (engines.md): `{"query", "prompts", "labels"}` ->
 * `{"rewards", "scores", "extra_logs"}`, one sample (v0.11) or a micro-batch (v0.8-v0.10) a
 * request. `query` is the templated prompt plus the response with special tokens kept: the prompt
 * is cut off here, and the one extractor drops the trailing special tokens.
 */

const texts = z.union([z.string(), z.array(z.string())]);

export const GetRewardSchema = z
  .object({
    query: texts,
    prompts: texts.optional(),
    labels: z.unknown().optional(),
  })
  .passthrough();

export type GetRewardRequest = z.infer<typeof GetRewardSchema>;

/** Where an assistant turn starts in common chat templates, for a query whose prompt does not match byte for byte. */
const ASSISTANT_MARKERS = [
  "<|im_start|>assistant",
  "<|start_header_id|>assistant<|end_header_id|>",
  "<|assistant|>",
  "<start_of_turn>model",
  "<｜Assistant｜>",
  "[/INST]",
];

/**
 * The response part of a query. The prompt is a prefix of the query when the engine decoded both
 * the same way; a tokenizer round trip can add a BOS token in front or change the prompt's
 * whitespace, so a prompt found near the start still counts, and otherwise the text after the
 * last assistant-turn marker is taken. With neither, the whole query is judged (the extractor
 * prefers the last code block, which is the response's).
 */
export function responseOf(query: string, prompt: string | undefined): string {
  if (prompt) {
    if (query.startsWith(prompt)) return query.slice(prompt.length);
    const at = query.indexOf(prompt);
    if (at >= 0 && at <= 64) return query.slice(at + prompt.length);
  }
  let cut = -1;
  for (const m of ASSISTANT_MARKERS) {
    const i = query.lastIndexOf(m);
    if (i >= 0) cut = Math.max(cut, i + m.length);
  }
  return cut >= 0 ? query.slice(cut) : query;
}

/** The names and order of `extra_logs` (fixed, so every answer stacks into the same arrays). */
export const EXTRA_LOGS = ["function", "quality", "compiled", "passed_all", "findings", "no_code", "judge_error", "cached"] as const;

function asList(value: string | string[] | undefined, n: number, what: string): (string | undefined)[] {
  if (value === undefined) return new Array<undefined>(n).fill(undefined);
  const list = typeof value === "string" ? [value] : value;
  if (list.length !== n) throw new HttpError(400, "invalid_request", `${what} has ${list.length} entries but query has ${n}`);
  return list;
}

/** OpenRLHF's `scores` feed dynamic filtering and must lie in 0..1: the reward, clipped. */
function scoreOf(reward: number): number {
  return Math.min(1, Math.max(0, reward));
}

export async function handleGetReward(ctx: ServerContext, body: GetRewardRequest, signal: AbortSignal): Promise<{ rewards: number[]; scores: number[]; extra_logs: Record<string, number[]> }> {
  const queries = typeof body.query === "string" ? [body.query] : body.query;
  const n = queries.length;
  const prompts = asList(body.prompts, n, "prompts");
  let labels: unknown[];
  if (body.labels === undefined) throw new HttpError(400, "invalid_request", "labels is required: each sample's task (a task id, a reference, a task or a JSON string of one)");
  if (typeof body.query === "string" && !(Array.isArray(body.labels) && body.labels.length === 1)) labels = [body.labels];
  else if (!Array.isArray(body.labels) || body.labels.length !== n) throw new HttpError(400, "invalid_request", `labels must be a list as long as query (${n})`);
  else labels = body.labels;

  const resolved = labels.map((l) => ctx.stores.resolveLabel(l));
  const bad = resolved.findIndex((r) => !("task" in r));
  if (bad >= 0) {
    // Labels come from the training data: one that names no task is a data or deployment error,
    // and a made-up reward would train on it silently.
    const r = resolved[bad] as { error: string };
    throw new HttpError(422, "unknown_task", `labels[${bad}]: ${r.error}`);
  }
  const settings = settingsFor(ctx, {});
  const answered = await verifySamples(
    ctx,
    "/get_reward",
    queries.map((q, i) => ({ resolved: resolved[i]!, completion: responseOf(q, prompts[i]) })),
    settings,
    signal,
  );
  const rewards = answered.map((a) => a.result.reward?.value ?? 0);
  const extra: Record<string, number[]> = Object.fromEntries(EXTRA_LOGS.map((k) => [k, [] as number[]]));
  for (const a of answered) {
    const row = extraLog(a.result, a.cached);
    for (const k of EXTRA_LOGS) extra[k]!.push(row[k]);
  }
  return { rewards, scores: rewards.map(scoreOf), extra_logs: extra };
}

function extraLog(r: SampleResult, cached: boolean): Record<(typeof EXTRA_LOGS)[number], number> {
  const parts = r.reward?.parts;
  return {
    function: parts?.function ?? 0,
    quality: parts?.quality ?? 0,
    compiled: r.compiled ? 1 : 0,
    passed_all: r.compiled && r.total > 0 && r.passed === r.total ? 1 : 0,
    findings: parts?.findings_counted ?? 0,
    no_code: parts?.no_code ?? 0,
    judge_error: r.reward === null || parts?.judge_error ? 1 : 0,
    cached: cached ? 1 : 0,
  };
}
