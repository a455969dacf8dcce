/**
 * The loss terms of PPO and GRPO in tensor form. Each is the tensor twin of a formula in
 * rl-math.ts (the array version tested against hand-computed values); test/train/losses.test.ts
 * checks every one against its twin. All take [B,T] tensors and a [B,T] float mask that is 1 on
 * response tokens and 0 on prompt and padding, and average over the masked tokens.
 */
import { tf } from "../model/tensor.js";

/** Σ x·mask / Σ mask (0 when the mask is empty, never 0/0). rl-math: maskedMean. */
export function maskedMeanT(x: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar);
}

/**
 * PPO-clip: −min(ρ·A, clip(ρ, 1−ε, 1+ε)·A), ρ = exp(logp − logp_old). rl-math: clippedPolicyLoss.
 * clipFraction: share of tokens where the clipped term was the smaller (the update was held back).
 */
export function clippedPolicyLossT(logp: tf.Tensor, oldLogp: tf.Tensor, advantages: tf.Tensor, mask: tf.Tensor, clipEps: number): { loss: tf.Scalar; clipFraction: tf.Scalar } {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logp, oldLogp));
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - clipEps, 1 + clipEps), advantages);
    const loss = maskedMeanT(tf.neg(tf.minimum(unclipped, clipped)), mask);
    const clipFraction = maskedMeanT(tf.cast(tf.less(clipped, unclipped), "float32"), mask);
    return { loss, clipFraction };
  });
}

/** ½·max((V−R)², (V_old + clip(V−V_old, −ε, ε) − R)²). rl-math: clippedValueLoss. */
export function clippedValueLossT(values: tf.Tensor, oldValues: tf.Tensor, returns: tf.Tensor, mask: tf.Tensor, clipEps: number): tf.Scalar {
  return tf.tidy(() => {
    const clippedValues = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clipEps, clipEps));
    const lossUnclipped = tf.square(tf.sub(values, returns));
    const lossClipped = tf.square(tf.sub(clippedValues, returns));
    return tf.mul(maskedMeanT(tf.maximum(lossUnclipped, lossClipped), mask), 0.5) as tf.Scalar;
  });
}

/** k3 = exp(logp_ref − logp) − (logp_ref − logp) − 1 per token (never negative). rl-math: klK3. */
export function klK3T(logp: tf.Tensor, refLogp: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logRatio = tf.sub(refLogp, logp);
    return tf.sub(tf.sub(tf.exp(logRatio), logRatio), 1);
  });
}

/** mean ½(logp − logp_old)² over the mask: how far one update moved the policy. rl-math: approxKl. */
export function approxKlT(logp: tf.Tensor, oldLogp: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(maskedMeanT(tf.square(tf.sub(logp, oldLogp)), mask), 0.5) as tf.Scalar);
}
