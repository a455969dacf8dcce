import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gpt, parameterCount, tokenEntropy, tokenLogProbs, type GptConfig } from "../../src/model/gpt.js";
import { generate } from "../../src/model/generate.js";
import { loadCheckpoint, loadTensors, saveCheckpoint, saveTensors } from "../../src/model/checkpoint.js";
import { Adam } from "../../src/model/optimizer.js";
import { seededRandom } from "../../src/model/random.js";
import { initTensorBackend, tf } from "../../src/model/tensor.js";
import { ByteTokenizer, EOS_ID, LineTokenizer } from "../../src/model/tokenizer.js";

const config: GptConfig = { vocabSize: 40, contextLength: 24, dModel: 16, nLayers: 2, nHeads: 2, valueHead: true };
let tmp: string;

beforeAll(async () => {
  expect(await initTensorBackend()).toBe("wasm");
  tmp = mkdtempSync(join(tmpdir(), "scrl-gpt-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ids = (rows: number[][]) => tf.tensor2d(rows, [rows.length, rows[0]!.length], "int32");

describe("Gpt", () => {
  it("gives logits [B,T,V] and values [B,T], and the parameter count its config implies", () => {
    const m = Gpt.create(config, 1);
    const { logits, values } = m.apply(ids([[1, 5, 6, 7], [1, 9, 9, 9]]));
    expect(logits.shape).toEqual([2, 4, 40]);
    expect(values!.shape).toEqual([2, 4]);
    const total = m.variables().reduce((s, v) => s + v.size, 0);
    expect(total).toBe(parameterCount(config));
    expect(m.policyVariables().length).toBe(m.variables().length - 2);
    expect(tokenLogProbs(logits, ids([[5, 6, 7, 2], [9, 9, 9, 2]])).shape).toEqual([2, 4]);
    const entropy = tokenEntropy(logits).arraySync() as number[][];
    // A fresh model is close to uniform: entropy near log V, and never above it.
    for (const e of entropy.flat()) expect(e).toBeLessThanOrEqual(Math.log(40) + 1e-4);
    for (const e of entropy.flat()) expect(e).toBeGreaterThan(Math.log(40) - 0.1);
    m.dispose();
  });

  it("is causal: changing a later token leaves every earlier position's logits equal", () => {
    const m = Gpt.create(config, 2);
    const a = m.apply(ids([[1, 4, 5, 6, 7, 8]])).logits.arraySync() as number[][][];
    const b = m.apply(ids([[1, 4, 5, 30, 31, 32]])).logits.arraySync() as number[][][];
    for (let t = 0; t < 3; t++) expect(b[0]![t]).toEqual(a[0]![t]);
    expect(b[0]![3]).not.toEqual(a[0]![3]);
    m.dispose();
  });

  it("is seeded: the same seed gives the same weights, another seed other weights", () => {
    const [a, b, c] = [Gpt.create(config, 7), Gpt.create(config, 7), Gpt.create(config, 8)];
    expect(a.variables()[0]!.dataSync()).toEqual(b.variables()[0]!.dataSync());
    expect(a.variables()[0]!.dataSync()).not.toEqual(c.variables()[0]!.dataSync());
    [a, b, c].forEach((m) => m.dispose());
  });

  it("copy() is frozen and independent of later training", () => {
    const m = Gpt.create(config, 3);
    const ref = m.copy();
    expect(ref.variables().every((v) => !v.trainable)).toBe(true);
    const before = ref.variables()[0]!.dataSync().slice();
    const adam = new Adam(m.namedVariables(), { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const { grads } = tf.variableGrads(() => tf.mean(tokenLogProbs(m.apply(ids([[1, 3, 4]])).logits, ids([[3, 4, 2]]))) as tf.Scalar, m.variables());
    adam.apply(grads);
    expect(m.variables()[0]!.dataSync()).not.toEqual(before);
    expect(ref.variables()[0]!.dataSync()).toEqual(before);
    m.dispose();
    ref.dispose();
  });
});

describe("generate", () => {
  const tok = new ByteTokenizer();
  const byteConfig: GptConfig = { ...config, vocabSize: tok.vocabSize, contextLength: 48, valueHead: false };

  it("samples the same tokens with and without the KV cache for the same seed, prompts of mixed lengths", () => {
    const m = Gpt.create(byteConfig, 4);
    const prompts = [tok.encode("def f("), tok.encode("x ="), tok.encode("def g(")];
    const opts = { maxNewTokens: 20, sampling: { temperature: 1, topK: 0, topP: 1 } };
    const cached = generate(m, tok, prompts, { ...opts, random: seededRandom(11) });
    const plain = generate(m, tok, prompts, { ...opts, random: seededRandom(11), kvCache: false });
    expect(cached.map((g) => g.ids)).toEqual(plain.map((g) => g.ids));
    expect(cached.every((g) => g.ids.length > 0)).toBe(true);
    expect(cached[1]!.promptIds).toEqual(prompts[1]);
    m.dispose();
  });

  it("ends rows at EOS, at a stop sequence, or at the token limit", () => {
    const lines = new LineTokenizer(["a\n", "b\n", "STOP\n"]);
    const m = Gpt.create({ ...config, vocabSize: lines.vocabSize, valueHead: false }, 5);
    const gens = generate(m, lines, [lines.encode("a\n"), lines.encode("b\n")], { maxNewTokens: 15, sampling: { temperature: 2, topK: 0, topP: 1 }, stop: ["STOP\n"], random: seededRandom(3) });
    for (const g of gens) {
      if (g.finish === "eos") expect(g.ids[g.ids.length - 1]).toBe(EOS_ID);
      if (g.finish === "stop") expect(g.text.endsWith("STOP\n")).toBe(true);
      if (g.finish === "length") expect(g.ids.length).toBe(15);
      expect(g.text).toBe(lines.decode(g.ids.filter((id) => id !== EOS_ID)));
    }
    // Greedy decoding is the argmax at every step, so it does not depend on the random source.
    const greedy = (seed: number) => generate(m, lines, [lines.encode("a\n")], { maxNewTokens: 6, sampling: { temperature: 0, topK: 0, topP: 1 }, random: seededRandom(seed) })[0]!.ids;
    expect(greedy(1)).toEqual(greedy(2));
    m.dispose();
  });
});

describe("checkpoints", () => {
  it("round-trip bit for bit, with the tokenizer and meta", async () => {
    const m = Gpt.create(config, 9);
    const lines = LineTokenizer.fromCorpus(["x = 1\n" + "y = 2\n"]);
    const small = Gpt.create({ ...config, vocabSize: lines.vocabSize }, 9);
    const dir = join(tmp, "ckpt");
    await saveCheckpoint(dir, { model: small, tokenizer: lines, meta: { step: 3 } });
    // Saved twice: the second write replaces the first as a whole and leaves no temporary folder.
    await saveCheckpoint(dir, { model: small, tokenizer: lines, meta: { step: 4 } });
    expect(readdirSync(tmp).filter((n) => n.includes("tmp") || n.endsWith(".old"))).toEqual([]);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.meta).toEqual({ step: 4 });
    expect(loaded.tokenizer.toJSON()).toEqual(lines.toJSON());
    expect(loaded.model.config).toEqual(small.config);
    const a = small.namedVariables();
    const b = loaded.model.namedVariables();
    expect(b.map((p) => p.name)).toEqual(a.map((p) => p.name));
    for (let i = 0; i < a.length; i++) expect(Buffer.from(b[i]!.variable.dataSync().buffer)).toEqual(Buffer.from(a[i]!.variable.dataSync().buffer));
    const n = parameterCount(small.config);
    expect(statSync(join(dir, "weights.bin")).size).toBe(n * 4);
    [m, small, loaded.model].forEach((x) => x.dispose());
  });

  it("named tensors (optimizer state) round-trip with their shapes and dtypes", async () => {
    const file = join(tmp, "opt.bin");
    await saveTensors(file, { step: tf.scalar(12, "int32"), "m/wte": tf.tensor2d([[0.1, -2.5e-7], [3, 4]]) });
    const back = await loadTensors(file);
    expect(back.step!.dtype).toBe("int32");
    expect(back.step!.dataSync()[0]).toBe(12);
    expect(back["m/wte"]!.shape).toEqual([2, 2]);
    expect(Array.from(back["m/wte"]!.dataSync())).toEqual(Array.from(new Float32Array([0.1, -2.5e-7, 3, 4])));
  });

  it("refuses a checkpoint whose weights file is cut short", async () => {
    const m = Gpt.create(config, 10);
    const dir = join(tmp, "cut");
    await saveCheckpoint(dir, { model: m, tokenizer: new LineTokenizer(Array.from({ length: 36 }, (_, i) => `l${i}\n`)) });
    const { truncateSync } = await import("node:fs");
    truncateSync(join(dir, "weights.bin"), 100);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/truncated/);
    m.dispose();
  });
});
