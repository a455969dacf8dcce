/**
 * A small decoder-only transformer (GPT-2 layout): token embeddings tied to the output layer,
 * learned position embeddings, pre-norm blocks (x + Attn(LN(x)), x + MLP(LN(x))), a final norm and,
 * for PPO, an optional scalar value head on the final hidden state. docs/training.md gives the formulas.
 */
import { seededRandom } from "./random.js";
import { tf } from "./tensor.js";

export interface GptConfig {
  vocabSize: number;
  contextLength: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Scalar value per position (PPO's critic shares the trunk with the policy). */
  valueHead: boolean;
}

/** Keys and values of every earlier position, one entry per layer, each [B, H, T_past, d_head]. */
export type KvCache = { k: tf.Tensor4D; v: tf.Tensor4D }[];

export interface NamedVariable {
  /** Stable name saved in checkpoints ("h0.attn.qkv.w"); the tf.Variable's own name is made unique per instance. */
  name: string;
  variable: tf.Variable;
}

export function validateConfig(c: GptConfig): void {
  const ints: (keyof GptConfig)[] = ["vocabSize", "contextLength", "dModel", "nLayers", "nHeads"];
  for (const k of ints) if (!Number.isInteger(c[k]) || (c[k] as number) <= 0) throw new Error(`model config: ${k} must be a positive integer, got ${JSON.stringify(c[k])}`);
  if (c.dModel % c.nHeads !== 0) throw new Error(`model config: dModel ${c.dModel} is not divisible by nHeads ${c.nHeads}`);
}

/** Parameter names and shapes in checkpoint order (the order of weights.bin). */
export function parameterShapes(c: GptConfig): { name: string; shape: number[] }[] {
  const d = c.dModel;
  const out: { name: string; shape: number[] }[] = [
    { name: "wte", shape: [c.vocabSize, d] },
    { name: "wpe", shape: [c.contextLength, d] },
  ];
  for (let l = 0; l < c.nLayers; l++) {
    out.push(
      { name: `h${l}.ln1.g`, shape: [d] },
      { name: `h${l}.ln1.b`, shape: [d] },
      { name: `h${l}.attn.qkv.w`, shape: [d, 3 * d] },
      { name: `h${l}.attn.qkv.b`, shape: [3 * d] },
      { name: `h${l}.attn.proj.w`, shape: [d, d] },
      { name: `h${l}.attn.proj.b`, shape: [d] },
      { name: `h${l}.ln2.g`, shape: [d] },
      { name: `h${l}.ln2.b`, shape: [d] },
      { name: `h${l}.mlp.fc.w`, shape: [d, 4 * d] },
      { name: `h${l}.mlp.fc.b`, shape: [4 * d] },
      { name: `h${l}.mlp.proj.w`, shape: [4 * d, d] },
      { name: `h${l}.mlp.proj.b`, shape: [d] },
    );
  }
  out.push({ name: "lnf.g", shape: [d] }, { name: "lnf.b", shape: [d] });
  if (c.valueHead) out.push({ name: "value.w", shape: [d, 1] }, { name: "value.b", shape: [1] });
  return out;
}

export function parameterCount(c: GptConfig): number {
  return parameterShapes(c).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * GPT-2's initialisation: N(0, 0.02) weights, residual projections scaled by 1/sqrt(2·layers) so the
 * residual stream's variance does not grow with depth, zero biases, unit norm gains.
 */
function initialValues(c: GptConfig, seed: number): Map<string, Float32Array> {
  const random = seededRandom(seed);
  const normal = () => {
    // Box-Muller from the seeded uniform source (1 - u keeps log away from 0).
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const values = new Map<string, Float32Array>();
  for (const { name, shape } of parameterShapes(c)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (/\.g$/.test(name)) data.fill(1);
    else if (/\.b$/.test(name)) data.fill(0);
    else {
      const std = /proj\.w$/.test(name) ? 0.02 / Math.sqrt(2 * c.nLayers) : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = normal() * std;
    }
    values.set(name, data);
  }
  return values;
}

let instanceCounter = 0;

export class Gpt {
  private readonly params: NamedVariable[];
  private readonly byName: Map<string, tf.Variable>;
  private readonly maskCache = new Map<string, tf.Tensor2D>();

  private constructor(readonly config: GptConfig, values: Map<string, Float32Array | tf.Tensor>, trainable: boolean) {
    validateConfig(config);
    const prefix = `gpt${instanceCounter++}`;
    this.params = parameterShapes(config).map(({ name, shape }) => {
      const value = values.get(name);
      if (!value) throw new Error(`model weights: missing tensor ${name}`);
      const initial = value instanceof Float32Array ? tf.tensor(value, shape, "float32") : value;
      if (initial.shape.join(",") !== shape.join(",")) throw new Error(`model weights: ${name} has shape [${initial.shape}], expected [${shape}]`);
      const variable = tf.variable(initial, trainable, `${prefix}/${name}`);
      if (value instanceof Float32Array) initial.dispose();
      return { name, variable };
    });
    this.byName = new Map(this.params.map((p) => [p.name, p.variable]));
  }

  static create(config: GptConfig, seed: number): Gpt {
    validateConfig(config);
    return new Gpt(config, initialValues(config, seed), true);
  }

  /** From saved values (checkpoint loading), keyed by parameter name. */
  static fromValues(config: GptConfig, values: Map<string, Float32Array>, trainable = true): Gpt {
    return new Gpt(config, values, trainable);
  }

  namedVariables(): NamedVariable[] {
    return [...this.params];
  }
  variables(): tf.Variable[] {
    return this.params.map((p) => p.variable);
  }
  policyVariables(): tf.Variable[] {
    return this.params.filter((p) => !p.name.startsWith("value.")).map((p) => p.variable);
  }

  /** A deep copy; frozen (not trainable) unless asked, so an optimizer can never move a reference policy. */
  copy(opts: { trainable?: boolean } = {}): Gpt {
    const values = new Map<string, tf.Tensor>(this.params.map((p) => [p.name, p.variable]));
    return new Gpt({ ...this.config }, values, opts.trainable ?? false);
  }

  /**
   * A trainable copy with a value head added (PPO starting from an SFT checkpoint that has none).
   * The head starts at zero, so the first value estimates are 0 and the policy is unchanged.
   */
  withValueHead(): Gpt {
    const values = new Map<string, Float32Array | tf.Tensor>(this.params.map((p) => [p.name, p.variable]));
    values.set("value.w", new Float32Array(this.config.dModel));
    values.set("value.b", new Float32Array(1));
    return new Gpt({ ...this.config, valueHead: true }, values, true);
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
    for (const m of this.maskCache.values()) m.dispose();
    this.maskCache.clear();
  }

  private w(name: string): tf.Variable {
    return this.byName.get(name)!;
  }

  /** Full forward pass over ids [B,T] (int32, T ≤ contextLength), differentiable. */
  apply(ids: tf.Tensor2D): { logits: tf.Tensor3D; values: tf.Tensor2D | null } {
    const { logits, values } = this.forward(ids, 0, null);
    return { logits, values };
  }

  /**
   * The forward pass both training and sampling use: ids [B,Tn] at absolute positions pos0..pos0+Tn-1,
   * attending to `past` (the cache of positions 0..pos0-1) and to themselves causally. Returns the
   * cache extended by these positions when `past` is given (an empty array starts one).
   */
  forward(ids: tf.Tensor2D, pos0: number, past: KvCache | null): { logits: tf.Tensor3D; values: tf.Tensor2D | null; cache: KvCache | null } {
    const c = this.config;
    const [B, Tn] = ids.shape;
    if (pos0 + Tn > c.contextLength) throw new Error(`sequence of ${pos0 + Tn} tokens exceeds the model's context length ${c.contextLength}`);
    const d = c.dModel;
    const H = c.nHeads;
    const dh = d / H;
    const N = B * Tn;
    const newCache: KvCache | null = past ? [] : null;
    const out = tf.tidy(() => {
      // Embedding by one-hot matmul: its gradient is one more matmul, where a gather's gradient
      // (a scatter-add) is missing from the wasm backend and took 9.6 s a step on the CPU backend.
      const oneHot = tf.oneHot(tf.reshape(ids, [N]), c.vocabSize).toFloat() as tf.Tensor2D;
      const tok = matMulPlain(oneHot, this.w("wte") as tf.Tensor2D);
      const pos = tf.slice(this.w("wpe"), [pos0, 0], [Tn, d]);
      let x = tf.reshape(tf.add(tf.reshape(tok, [B, Tn, d]), pos), [N, d]) as tf.Tensor2D;
      const Tpast = past && past.length > 0 ? past[0]!.k.shape[2] : 0;
      const mask = this.causalMask(Tn, Tpast);
      const scale = 1 / Math.sqrt(dh);
      for (let l = 0; l < c.nLayers; l++) {
        const p = `h${l}`;
        // Attention on the normed stream; the residual keeps the unnormed signal (pre-norm).
        const h = layerNorm(x, this.w(`${p}.ln1.g`), this.w(`${p}.ln1.b`));
        const qkv = linear(h, this.w(`${p}.attn.qkv.w`), this.w(`${p}.attn.qkv.b`));
        const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, Tn, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        let kAll = k;
        let vAll = v;
        if (past && past.length > 0) {
          kAll = tf.concat([past[l]!.k, k], 2);
          vAll = tf.concat([past[l]!.v, v], 2);
        }
        if (newCache) newCache.push({ k: tf.keep(kAll), v: tf.keep(vAll) });
        // scores [B,H,Tn,Tpast+Tn]; the mask adds -1e9 where a query would see a later key.
        let scores = tf.mul(tf.matMul(q, kAll, false, true), scale);
        if (mask) scores = tf.add(scores, mask);
        const att = tf.matMul(tf.softmax(scores), vAll);
        const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [N, d]) as tf.Tensor2D;
        x = tf.add(x, linear(merged, this.w(`${p}.attn.proj.w`), this.w(`${p}.attn.proj.b`)));
        const h2 = layerNorm(x, this.w(`${p}.ln2.g`), this.w(`${p}.ln2.b`));
        const m = linear(gelu(linear(h2, this.w(`${p}.mlp.fc.w`), this.w(`${p}.mlp.fc.b`))), this.w(`${p}.mlp.proj.w`), this.w(`${p}.mlp.proj.b`));
        x = tf.add(x, m);
      }
      const hf = layerNorm(x, this.w("lnf.g"), this.w("lnf.b"));
      // Tied output layer: logits = h · W_teᵀ, the same matrix that embeds the tokens.
      const logits = tf.reshape(matMulPlain(hf, tf.transpose(this.w("wte")) as tf.Tensor2D), [B, Tn, c.vocabSize]) as tf.Tensor3D;
      const values = c.valueHead ? (tf.reshape(linear(hf, this.w("value.w"), this.w("value.b")), [B, Tn]) as tf.Tensor2D) : null;
      return values ? { logits, values } : { logits };
    });
    return { logits: out.logits, values: (out as { values?: tf.Tensor2D }).values ?? null, cache: newCache };
  }

  /** [Tn, Tpast+Tn] additive mask: query i (absolute Tpast+i) sees keys 0..Tpast+i. Null when nothing is hidden. */
  private causalMask(Tn: number, Tpast: number): tf.Tensor2D | null {
    if (Tn === 1) return null;
    const key = `${Tn}:${Tpast}`;
    let mask = this.maskCache.get(key);
    if (!mask) {
      const data = new Float32Array(Tn * (Tpast + Tn));
      for (let i = 0; i < Tn; i++) for (let j = 0; j < Tpast + Tn; j++) if (j > Tpast + i) data[i * (Tpast + Tn) + j] = -1e9;
      mask = tf.keep(tf.tensor2d(data, [Tn, Tpast + Tn]));
      this.maskCache.set(key, mask);
    }
    return mask;
  }
}

/**
 * The wasm backend's matmul is fast only for plain [M,K]·[K,N] (no transpose flags, no batch):
 * with a transpose flag it fell to a slow loop (27 ms against 6 ms for an explicit transpose and a
 * plain matmul, [1024,259]ᵀ·[1024,64]). tfjs's own gradients use the flags, so these two ops carry
 * gradients written with explicit transposes.
 */
const matMulPlain = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, [sa, sb]: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(sb!)), tf.matMul(tf.transpose(sa!), dy)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x·W + b with the bias added inside the matmul kernel (one pass over the output instead of two). */
const linear = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor2D, [sx, sw]: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(sw!)), tf.matMul(tf.transpose(sx!), dy), tf.sum(dy, 0)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), g), b) as tf.Tensor2D;
}

/** GELU, tanh approximation (GPT-2's): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function gelu(x: tf.Tensor2D): tf.Tensor2D {
  // x·x·x rather than pow(x, 3): the wasm pow kernel (and its gradient) cost ten times as much.
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1)) as tf.Tensor2D;
}

/** log p(target_t) at every position: [B,T,V] logits and [B,T] int32 targets → [B,T]. */
export function tokenLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const pick = tf.oneHot(targets.toInt(), logits.shape[2]).toFloat();
    return tf.sum(tf.mul(logp, pick), -1) as tf.Tensor2D;
  });
}

/** Entropy −Σ p·log p of the next-token distribution at every position → [B,T]. */
export function tokenEntropy(logits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor2D;
  });
}
