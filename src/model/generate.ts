/**
 * Sampling from a Gpt. With the KV cache (the default) each new token costs one position's forward
 * pass over the cached keys and values; without it every step re-runs the whole sequence, which is
 * the reference the cache is tested against (same seed, same tokens).
 */
import { BOS_ID, EOS_ID, type Tokenizer } from "./tokenizer.js";
import { hitsStop, sampleToken, type SamplingParams } from "./sampling.js";
import type { Gpt, KvCache } from "./gpt.js";
import { tf } from "./tensor.js";

export interface GenerateOptions {
  maxNewTokens: number;
  sampling: SamplingParams;
  /** Generation of a row ends once its decoded text ends with one of these. */
  stop?: string[];
  /** The uniform source every draw uses, row by row, step by step (seed it for reproducible samples). */
  random: () => number;
  /** Default true. */
  kvCache?: boolean;
}

export interface Generation {
  promptIds: number[];
  /** Generated tokens only (EOS included when emitted). */
  ids: number[];
  /** tokenizer.decode(ids without EOS). */
  text: string;
  finish: "eos" | "stop" | "length";
}

/**
 * The prompt as the model sees it: BOS, then the prompt's tokens, cut from the left when prompt and
 * answer would not fit the context (the end of a prompt is what the answer continues).
 */
export function promptInput(promptIds: readonly number[], contextLength: number, maxNewTokens: number): number[] {
  const room = Math.max(1, contextLength - Math.max(1, Math.min(maxNewTokens, contextLength - 1)));
  const withBos = [BOS_ID, ...promptIds];
  return withBos.length <= room ? withBos : withBos.slice(withBos.length - room);
}

/**
 * Prompts are grouped by input length and each group is sampled as one batch, so no row needs
 * padding or a padding mask (GRPO's G samples of one prompt always share a batch). Results come
 * back in the order of `prompts`.
 */
export function generate(model: Gpt, tokenizer: Tokenizer, prompts: number[][], opts: GenerateOptions): Generation[] {
  if (!(opts.maxNewTokens >= 0)) throw new Error(`maxNewTokens must be ≥ 0, got ${opts.maxNewTokens}`);
  const inputs = prompts.map((p) => promptInput(p, model.config.contextLength, opts.maxNewTokens));
  const groups = new Map<number, number[]>();
  inputs.forEach((inp, i) => (groups.get(inp.length) ?? groups.set(inp.length, []).get(inp.length)!).push(i));
  const results: Generation[] = new Array(prompts.length);
  for (const rows of groups.values()) {
    const batch = sampleBatch(model, tokenizer, rows.map((i) => inputs[i]!), opts);
    rows.forEach((i, j) => (results[i] = { promptIds: prompts[i]!, ...batch[j]! }));
  }
  return results;
}

function sampleBatch(model: Gpt, tokenizer: Tokenizer, inputs: number[][], opts: GenerateOptions): Omit<Generation, "promptIds">[] {
  const B = inputs.length;
  const T0 = inputs[0]!.length;
  const useCache = opts.kvCache ?? true;
  const stops = opts.stop ?? [];
  const out = inputs.map(() => ({ ids: [] as number[], finish: null as Generation["finish"] | null }));
  const maxNew = Math.min(opts.maxNewTokens, model.config.contextLength - T0);
  let sequences = inputs.map((r) => [...r]);
  let cache: KvCache | null = null;
  try {
    for (let step = 0; step < maxNew; step++) {
      // Logits of the last position of every row: the prompt at step 0, afterwards either the one
      // new token against the cache, or the whole sequence again.
      let last: Float32Array;
      if (useCache) {
        const fresh: number[][] = step === 0 ? sequences : sequences.map((s) => [s[s.length - 1]!]);
        const pos0 = step === 0 ? 0 : T0 + step - 1;
        const ids = tf.tensor2d(fresh, [B, fresh[0]!.length], "int32");
        const { logits, values, cache: next } = model.forward(ids, pos0, cache ?? []);
        ids.dispose();
        values?.dispose();
        disposeCache(cache);
        cache = next;
        last = lastPosition(logits);
      } else {
        const ids = tf.tensor2d(sequences, [B, sequences[0]!.length], "int32");
        const { logits, values } = model.forward(ids, 0, null);
        ids.dispose();
        values?.dispose();
        last = lastPosition(logits);
      }
      const V = model.config.vocabSize;
      let open = 0;
      sequences = sequences.map((seq, r) => {
        const row = out[r]!;
        // A finished row keeps being fed (the batch moves together) but draws nothing, so the
        // random stream, and therefore every other row's sample, does not depend on it.
        if (row.finish) return [...seq, EOS_ID];
        const token = sampleToken(last.subarray(r * V, (r + 1) * V), opts.sampling, opts.random);
        row.ids.push(token);
        if (token === EOS_ID) row.finish = "eos";
        else if (stops.length > 0 && hitsStop(tokenizer.decode(row.ids), stops)) row.finish = "stop";
        else open++;
        return [...seq, token];
      });
      if (open === 0) break;
    }
  } finally {
    disposeCache(cache);
  }
  return out.map((row) => {
    const ids = row.ids;
    return { ids, text: tokenizer.decode(ids.filter((id) => id !== EOS_ID)), finish: row.finish ?? "length" };
  });
}

function lastPosition(logits: tf.Tensor3D): Float32Array {
  const [B, T, V] = logits.shape;
  const slice = tf.slice(logits, [0, T - 1, 0], [B, 1, V]);
  const data = slice.dataSync() as Float32Array;
  slice.dispose();
  logits.dispose();
  return data;
}

function disposeCache(cache: KvCache | null): void {
  for (const layer of cache ?? []) {
    layer.k.dispose();
    layer.v.dispose();
  }
}
