/**
 * Adam with decoupled weight decay (AdamW), written out so its state is plain named tensors that a
 * checkpoint saves and restores, and so each line can be read against the formulas in docs/training.md:
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  θ ← θ − lr·( m̂ / (√v̂ + ε) + wd·θ ),
 * with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
 */
import type { NamedVariable } from "./gpt.js";
import { tf } from "./tensor.js";

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAM_DEFAULTS: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

export class Adam {
  /** Updates taken so far (t in the bias correction). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: readonly NamedVariable[],
    readonly config: AdamConfig = ADAM_DEFAULTS,
  ) {
    for (const p of params) {
      this.m.set(p.name, tf.variable(tf.zerosLike(p.variable), false));
      this.v.set(p.name, tf.variable(tf.zerosLike(p.variable), false));
    }
  }

  /**
   * One update from gradients keyed by tf variable name (what tf.variableGrads returns); `lr`
   * overrides the configured rate for this step (schedules). Parameters without a gradient stay put.
   */
  apply(grads: Record<string, tf.Tensor>, lr = this.config.lr): void {
    const { beta1, beta2, eps, weightDecay } = this.config;
    this.step++;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const p of this.params) {
        const g = grads[p.variable.name];
        if (!g) continue;
        const m = this.m.get(p.name)!;
        const v = this.v.get(p.name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        let update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        if (weightDecay > 0) update = tf.add(update, tf.mul(p.variable, weightDecay));
        p.variable.assign(tf.sub(p.variable, tf.mul(update, lr)));
      }
    });
  }

  /** Moments by parameter name, and the step, for a checkpoint's optimizer.bin. */
  state(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = { step: tf.scalar(this.step, "int32") };
    for (const p of this.params) {
      out[`m/${p.name}`] = this.m.get(p.name)!;
      out[`v/${p.name}`] = this.v.get(p.name)!;
    }
    return out;
  }

  load(state: Record<string, tf.Tensor>): void {
    const step = state.step;
    if (!step) throw new Error("optimizer state: no step");
    this.step = step.dataSync()[0]!;
    for (const p of this.params) {
      const m = state[`m/${p.name}`];
      const v = state[`v/${p.name}`];
      if (!m || !v) throw new Error(`optimizer state: no moments for ${p.name}`);
      this.m.get(p.name)!.assign(m);
      this.v.get(p.name)!.assign(v);
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/**
 * Scales all gradients by min(1, maxNorm/‖g‖) with ‖g‖ the norm over every gradient together, so
 * one bad batch cannot throw the weights far. Returns the clipped gradients and the norm before clipping.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  const norm = tf.tidy(() => Math.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]!));
  if (!(maxNorm > 0) || !Number.isFinite(norm) || norm <= maxNorm) return { grads, norm };
  const scale = maxNorm / norm;
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
  return { grads: out, norm };
}
