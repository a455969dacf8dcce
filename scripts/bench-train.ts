/**
 * npm run bench:train — speed of the in-process trainer's tensor work, WebAssembly backend against
 * tfjs's plain JavaScript (cpu) backend in the same process:
 *   - a training step (forward + backward + AdamW) at the two reference sizes, in tokens/s;
 *   - sampling (KV cache) at both sizes, in new tokens/s;
 *   - sampling 256 new tokens with the KV cache against without it (wasm).
 * Reference sizes: a 2-layer d=64 model on a line-level vocabulary (the CI demonstration's), and a
 * ~125k-parameter byte-level model. Figures are per wall-clock second and per CPU second of this
 * process: both backends compute on one thread here, so on a busy shared machine the CPU-second
 * figure is what a quiet machine's wall clock would show.
 */
import { Gpt, parameterCount, tokenLogProbs, type GptConfig } from "../src/model/gpt.js";
import { generate } from "../src/model/generate.js";
import { Adam, clipByGlobalNorm } from "../src/model/optimizer.js";
import { seededRandom } from "../src/model/random.js";
import { initTensorBackend, tensorThreads, tf, useTensorBackend, type TensorBackend } from "../src/model/tensor.js";
import { ByteTokenizer, LineTokenizer, type Tokenizer } from "../src/model/tokenizer.js";

interface Size {
  label: string;
  config: GptConfig;
  tokenizer: Tokenizer;
  batch: number;
  seqLen: number;
}

const byte = new ByteTokenizer();
// A line vocabulary of the demonstration's order of size (the 8 shortest SecCodePLT+ tasks' references).
const lines = new LineTokenizer(Array.from({ length: 400 }, (_, i) => `line ${i}\n`));
const SIZES: Size[] = [
  { label: "line-level, 2 layers, d=64", config: { vocabSize: lines.vocabSize, contextLength: 64, dModel: 64, nLayers: 2, nHeads: 4, valueHead: false }, tokenizer: lines, batch: 16, seqLen: 64 },
  { label: "byte-level, ~125k parameters", config: { vocabSize: byte.vocabSize, contextLength: 128, dModel: 64, nLayers: 2, nHeads: 4, valueHead: false }, tokenizer: byte, batch: 8, seqLen: 128 },
];

interface Rate {
  wall: number;
  cpu: number;
}

/** Runs f once and gives work per wall second and per CPU second (user + system) of this process. */
function rate(work: () => number): Rate {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const units = work();
  const c = process.cpuUsage(c0);
  return { wall: units / ((performance.now() - t0) / 1000), cpu: units / ((c.user + c.system) / 1e6) };
}

function trainTokensPerSecond(size: Size, steps: number): Rate {
  const model = Gpt.create(size.config, 1);
  const adam = new Adam(model.namedVariables(), { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
  const random = seededRandom(2);
  const rows = Array.from({ length: size.batch }, () => Array.from({ length: size.seqLen + 1 }, () => 3 + Math.floor(random() * (size.config.vocabSize - 3))));
  const inputs = tf.tensor2d(rows.map((r) => r.slice(0, -1)), [size.batch, size.seqLen], "int32");
  const targets = tf.tensor2d(rows.map((r) => r.slice(1)), [size.batch, size.seqLen], "int32");
  const vars = model.variables();
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(tokenLogProbs(model.apply(inputs).logits, targets))) as tf.Scalar, vars);
      adam.apply(clipByGlobalNorm(grads, 1).grads);
      return value.dataSync()[0];
    });
  step(); // warm-up: kernels compiled, buffers allocated
  const r = rate(() => {
    for (let i = 0; i < steps; i++) step();
    return steps * size.batch * size.seqLen;
  });
  tf.dispose([inputs, targets]);
  adam.dispose();
  model.dispose();
  return r;
}

function sampleTokensPerSecond(model: Gpt, tokenizer: Tokenizer, batch: number, promptLen: number, newTokens: number, kvCache: boolean): Rate {
  const random = seededRandom(5);
  const prompts = Array.from({ length: batch }, () => Array.from({ length: promptLen }, () => 3 + Math.floor(random() * (model.config.vocabSize - 3))));
  const opts = { maxNewTokens: newTokens, sampling: { temperature: 1, topK: 0, topP: 1 }, kvCache };
  generate(model, tokenizer, prompts.map((p) => p.slice(0, 4)), { ...opts, maxNewTokens: 4, random: seededRandom(1) }); // warm-up
  return rate(() => generate(model, tokenizer, prompts, { ...opts, random: seededRandom(9) }).reduce((s, g) => s + g.ids.length, 0));
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const both = (r: Rate) => `${fmt(r.wall)} (${fmt(r.cpu)})`;

async function main(): Promise<void> {
  const first = await initTensorBackend();
  if (first !== "wasm") throw new Error("the wasm backend did not start; nothing to compare");
  const figures = new Map<string, Record<TensorBackend, { train: Rate; sample: Rate }>>();
  for (const backend of ["wasm", "cpu"] as const) {
    await useTensorBackend(backend);
    for (const size of SIZES) {
      // The cpu backend is ~10x slower: fewer steps give a figure in a similar time.
      const train = trainTokensPerSecond(size, backend === "wasm" ? 8 : 2);
      const model = Gpt.create(size.config, 3);
      const sample = sampleTokensPerSecond(model, size.tokenizer, 8, 8, 32, true);
      model.dispose();
      const entry = figures.get(size.label) ?? ({} as Record<TensorBackend, { train: Rate; sample: Rate }>);
      entry[backend] = { train, sample };
      figures.set(size.label, entry);
      process.stderr.write(`  ${backend} ${size.label}: train ${both(train)} tokens/s, sample ${both(sample)} tokens/s\n`);
    }
  }
  await useTensorBackend("wasm");
  console.log(`bench:train (wasm threads: ${tensorThreads()}); tokens per wall second (per CPU second of this process)`);
  console.log("| size | parameters | train step tokens/s wasm | cpu | ratio | sampling tokens/s wasm | cpu | ratio |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const size of SIZES) {
    const f = figures.get(size.label)!;
    console.log(
      `| ${size.label} (batch ${size.batch}×${size.seqLen}) | ${fmt(parameterCount(size.config))} | ${both(f.wasm.train)} | ${both(f.cpu.train)} | ${(f.wasm.train.cpu / f.cpu.train.cpu).toFixed(1)}x | ${both(f.wasm.sample)} | ${both(f.cpu.sample)} | ${(f.wasm.sample.cpu / f.cpu.sample.cpu).toFixed(1)}x |`,
    );
  }
  // KV cache against full recomputation: byte model with room for 256 new tokens after a 16-token prompt.
  const kvConfig: GptConfig = { ...SIZES[1]!.config, contextLength: 16 + 1 + 256 };
  const model = Gpt.create(kvConfig, 4);
  const cached = sampleTokensPerSecond(model, byte, 4, 16, 256, true);
  const plain = sampleTokensPerSecond(model, byte, 4, 16, 256, false);
  model.dispose();
  console.log(`sampling 256 new tokens (byte-level, ${fmt(parameterCount(kvConfig))} parameters, batch 4, wasm): KV cache ${both(cached)} tokens/s, without ${both(plain)} tokens/s, ${(cached.cpu / plain.cpu).toFixed(1)}x`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:train: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
