/** Turning one step's logits into a token id: temperature, top-k, top-p, then a seeded draw. */
export interface SamplingParams {
  /** 0 means greedy (argmax). */
  temperature: number;
  /** Keep only the k most likely tokens; 0 disables. */
  topK: number;
  /** Keep the smallest set of tokens whose probability reaches p; 1 disables. */
  topP: number;
}

export const DEFAULT_SAMPLING: SamplingParams = { temperature: 1, topK: 0, topP: 1 };

/** Softmax with the max subtracted first, so large logits do not overflow to Infinity. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const exps = Array.from(logits, (x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/**
 * The distribution actually sampled from: tokens cut by top-k and top-p get probability 0 and the
 * rest are renormalised. Exposed on its own so tests can check it against hand-computed values.
 */
export function filteredDistribution(logits: ArrayLike<number>, params: SamplingParams): number[] {
  const temperature = params.temperature > 0 ? params.temperature : 1;
  const probs = softmax(Array.from(logits, (x) => x / temperature));
  // Ties keep the lower id first so the result does not depend on sort stability quirks.
  const order = probs.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
  const keep = new Set<number>();
  let mass = 0;
  for (const id of order) {
    if (params.topK > 0 && keep.size >= params.topK) break;
    // top-p keeps the token that crosses the threshold (so at least one token always survives).
    if (params.topP < 1 && keep.size > 0 && mass >= params.topP) break;
    keep.add(id);
    mass += probs[id]!;
  }
  return probs.map((p, i) => (keep.has(i) ? p / mass : 0));
}

export function sampleToken(logits: ArrayLike<number>, params: SamplingParams, random: () => number): number {
  if (params.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  const dist = filteredDistribution(logits, params);
  let u = random();
  for (let i = 0; i < dist.length; i++) {
    u -= dist[i]!;
    if (u < 0 && dist[i]! > 0) return i;
  }
  // Rounding can leave u a hair above zero: fall back to the last kept token.
  for (let i = dist.length - 1; i >= 0; i--) if (dist[i]! > 0) return i;
  return 0;
}

/** True when the decoded text ends with one of the stop sequences (checked after each new token). */
export function hitsStop(text: string, stops: readonly string[]): boolean {
  return stops.some((s) => s.length > 0 && text.endsWith(s));
}
