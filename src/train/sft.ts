/**
 * Supervised fine-tuning, CleanRL style: every hyperparameter in SFT_DEFAULTS, the loop below reads
 * top to bottom. Loss: mean next-token negative log-likelihood over the completion tokens (the
 * prompt is context, not a target):  L = −Σ_t m_t·log π(y_t | y_<t) / Σ_t m_t.
 * docs/training.md explains each line; docs/cli/train.md the command.
 */
import { Gpt, parameterCount, tokenLogProbs, type GptConfig } from "../model/gpt.js";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint.js";
import { Adam, clipByGlobalNorm } from "../model/optimizer.js";
import { seededRandom } from "../model/random.js";
import { initTensorBackend, tf } from "../model/tensor.js";
import { ByteTokenizer, LineTokenizer, type Tokenizer } from "../model/tokenizer.js";
import { RunFolder } from "./run-folder.js";
import { encodePair, padBatch, type Example, type SftPair } from "./sft-pairs.js";
import { join } from "node:path";

export const SFT_DEFAULTS = {
  /** "byte" works on any text; "line" (one id per distinct corpus line) makes tiny models learn fast. */
  tokenizer: "byte" as "byte" | "line",
  /** The model trained when no --init checkpoint is given (vocabSize comes from the tokenizer). */
  model: { contextLength: 256, dModel: 64, nLayers: 2, nHeads: 4, valueHead: false },
  /** Optimizer updates at most (early stop may end sooner). */
  steps: 400,
  batchSize: 8,
  /** Peak learning rate, reached after a linear warm-up, then cosine decay to minLrRatio·lr. */
  lr: 3e-3,
  warmupSteps: 20,
  minLrRatio: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  /** Global gradient-norm clip: one odd batch cannot throw the weights far. */
  gradClip: 1,
  /** Share of prompts held out for validation when --data has no split of its own. */
  valFraction: 0.1,
  /** Validation loss (and a checkpoint) every this many steps. */
  evalEvery: 20,
  /** Evaluations in a row without a validation improvement of minDelta before stopping. */
  patience: 5,
  minDelta: 1e-3,
  /** --tasks: keep judged references with reward at least this (as `securecoderl sft-data`). */
  minReward: 0.4,
};
export type SftConfig = typeof SFT_DEFAULTS;

/** Defaults with a --config file's fields laid over them; unknown keys are an error, not a silent no-op. */
export function sftConfig(overrides: Record<string, unknown> = {}): SftConfig {
  const out = structuredClone(SFT_DEFAULTS) as SftConfig & Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in SFT_DEFAULTS)) throw new Error(`unknown sft config key ${JSON.stringify(k)} (known: ${Object.keys(SFT_DEFAULTS).join(", ")})`);
    if (k === "model") Object.assign(out.model, v);
    else if (typeof v !== typeof (SFT_DEFAULTS as Record<string, unknown>)[k]) throw new Error(`sft config ${k} must be a ${typeof (SFT_DEFAULTS as Record<string, unknown>)[k]}`);
    else out[k] = v;
  }
  if (out.tokenizer !== "byte" && out.tokenizer !== "line") throw new Error(`sft config tokenizer must be "byte" or "line"`);
  return out;
}

export interface SftRun {
  out: string;
  train: SftPair[];
  validation: SftPair[];
  config: SftConfig;
  seed: number;
  /** Checkpoint to start from (its tokenizer and model shape win over the config's). */
  init?: string;
  log?: (line: string) => void;
}

export interface SftResult {
  steps: number;
  bestValLoss: number | null;
  stoppedEarly: boolean;
  /** DIR/model: the weights with the best validation loss (the last ones without validation data). */
  modelDir: string;
}

/** Learning rate at a step: linear warm-up, then cosine from lr down to minLrRatio·lr. */
export function learningRate(c: SftConfig, step: number): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const progress = Math.min(1, (step - c.warmupSteps) / Math.max(1, c.steps - c.warmupSteps));
  return c.lr * (c.minLrRatio + (1 - c.minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Masked mean NLL of a padded batch; differentiable when called inside tf.variableGrads. */
function batchLoss(model: Gpt, batch: ReturnType<typeof padBatch>): tf.Scalar {
  const B = batch.inputs.length;
  const inputs = tf.tensor2d(batch.inputs, [B, batch.T], "int32");
  const targets = tf.tensor2d(batch.targets, [B, batch.T], "int32");
  const mask = tf.tensor2d(batch.mask, [B, batch.T], "float32");
  const { logits } = model.apply(inputs);
  const nll = tf.neg(tokenLogProbs(logits, targets));
  return tf.div(tf.sum(tf.mul(nll, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/** Token-weighted validation loss over every validation example. */
function validationLoss(model: Gpt, examples: Example[], batchSize: number): number | null {
  if (examples.length === 0) return null;
  let total = 0;
  let tokens = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = padBatch(examples.slice(i, i + batchSize));
    const n = batch.mask.flat().reduce((a, b) => a + b, 0);
    total += tf.tidy(() => batchLoss(model, batch).dataSync()[0]!) * n;
    tokens += n;
  }
  return tokens === 0 ? null : total / tokens;
}

/** Example indices of a step's batch: epoch e is a seeded shuffle, so step s's batch needs no saved RNG state. */
function batchIndices(n: number, batchSize: number, step: number, seed: number): number[] {
  const out: number[] = [];
  for (let k = step * batchSize; k < (step + 1) * batchSize; k++) {
    const epoch = Math.floor(k / n);
    out.push(permutation(n, seed * 1_000_003 + epoch)[k % n]!);
  }
  return out;
}
const permutations = new Map<string, number[]>();
function permutation(n: number, seed: number): number[] {
  const key = `${n}:${seed}`;
  let p = permutations.get(key);
  if (!p) {
    const random = seededRandom(seed);
    p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    if (permutations.size > 8) permutations.clear();
    permutations.set(key, p);
  }
  return p;
}

export async function runSft(run: SftRun): Promise<SftResult> {
  const c = run.config;
  const log = run.log ?? ((line: string) => process.stderr.write(line + "\n"));
  if (run.train.length === 0) throw new Error("no training examples");
  const backend = await initTensorBackend();
  const resume = RunFolder.hasCheckpoint(run.out);
  const folder = await RunFolder.open(run.out, { algorithm: "sft", config: { ...c, seed: run.seed, ...(run.init ? { init: run.init } : {}) }, resume });

  // 1. Model, tokenizer and optimizer: from the run's own checkpoint when resuming, else from
  //    --init or fresh. The optimizer is always fresh unless resuming this very run.
  let model: Gpt;
  let tokenizer: Tokenizer;
  let step = 0;
  let best = { loss: Infinity, bad: 0 };
  let adam: Adam;
  const adamConfig = { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay };
  if (folder.resumeStep > 0) {
    const saved = await folder.loadCheckpoint();
    ({ model, tokenizer } = saved);
    adam = new Adam(model.namedVariables().filter((p) => !p.name.startsWith("value.")), adamConfig);
    adam.load(saved.optimizer);
    step = saved.state.step;
    best = (saved.state.extra?.best as typeof best | undefined) ?? best;
    for (const t of Object.values(saved.optimizer)) t.dispose();
    log(`securecoderl train sft: resuming ${run.out} at step ${step}`);
  } else {
    if (run.init) {
      ({ model, tokenizer } = await loadCheckpoint(run.init));
    } else {
      // The line vocabulary is a property of the corpus (prompts and answers of both splits), so
      // validation answers are not all "unknown line".
      tokenizer = c.tokenizer === "byte" ? new ByteTokenizer() : LineTokenizer.fromCorpus([...run.train, ...run.validation].flatMap((p) => [p.prompt, p.completion]));
      const config: GptConfig = { ...c.model, vocabSize: tokenizer.vocabSize };
      model = Gpt.create(config, run.seed);
    }
    adam = new Adam(model.namedVariables().filter((p) => !p.name.startsWith("value.")), adamConfig);
  }
  const trainVars = model.policyVariables();
  const ctx = model.config.contextLength;
  const train = run.train.map((p) => encodePair(tokenizer, p, ctx));
  const validation = run.validation.map((p) => encodePair(tokenizer, p, ctx));
  log(
    `securecoderl train sft: ${train.length} train / ${validation.length} validation examples, ${tokenizer.kind} tokens (vocab ${tokenizer.vocabSize}), ` +
      `${parameterCount(model.config)} parameters, ${backend} backend`,
  );
  const modelDir = join(run.out, "model");
  let stoppedEarly = false;
  const started = performance.now();

  while (step < c.steps) {
    // 2. A batch: the next slice of this epoch's seeded shuffle, padded to its longest example.
    const batch = padBatch(batchIndices(train.length, c.batchSize, step, run.seed).map((i) => train[i]!));
    const lr = learningRate(c, step);
    const t0 = performance.now();
    const { loss, gradNorm } = tf.tidy(() => {
      // 3. Gradient of the masked NLL with respect to the policy weights (not a value head).
      const { value, grads } = tf.variableGrads(() => batchLoss(model, batch), trainVars);
      // 4. Clip the global gradient norm, then one AdamW step at this step's learning rate.
      const clipped = clipByGlobalNorm(grads, c.gradClip);
      adam.apply(clipped.grads, lr);
      return { loss: value.dataSync()[0]!, gradNorm: clipped.norm };
    });
    step++;
    const seconds = (performance.now() - t0) / 1000;
    const row: Record<string, number> = { step, loss, lr, grad_norm: gradNorm, tokens_per_s: Math.round((batch.inputs.length * batch.T) / seconds), elapsed_s: Math.round((performance.now() - started) / 100) / 10 };

    // 5. Every evalEvery steps (and at the end): validation loss, best model kept, checkpoint for resume.
    const last = step === c.steps;
    if (step % c.evalEvery === 0 || last) {
      const valLoss = validationLoss(model, validation, c.batchSize);
      if (valLoss !== null) row.val_loss = valLoss;
      const improved = valLoss === null || valLoss < best.loss - c.minDelta;
      if (improved) {
        best = { loss: valLoss ?? best.loss, bad: 0 };
        await saveCheckpoint(modelDir, { model, tokenizer, meta: { algorithm: "sft", step, val_loss: valLoss } });
      } else best.bad++;
      // Early stop: validation has not improved for `patience` evaluations; DIR/model keeps the best.
      stoppedEarly = valLoss !== null && best.bad >= c.patience;
      folder.appendMetrics(row);
      const optimizer = adam.state();
      await folder.saveCheckpoint({ model, tokenizer, optimizer, state: { step, rng: {}, extra: { best, seed: run.seed } } });
      optimizer.step!.dispose();
      log(`step ${step}/${c.steps}  loss ${loss.toFixed(4)}${valLoss !== null ? `  val ${valLoss.toFixed(4)}` : ""}  ${row.tokens_per_s} tok/s`);
      if (stoppedEarly) {
        log(`securecoderl train sft: early stop, validation loss has not improved for ${c.patience} evaluations`);
        break;
      }
    } else folder.appendMetrics(row);
  }
  model.dispose();
  adam.dispose();
  return { steps: step, bestValLoss: Number.isFinite(best.loss) ? best.loss : null, stoppedEarly, modelDir };
}
