/**
 * Checkpoints: DIR/config.json (model config, tensor list, meta), DIR/tokenizer.json and
 * DIR/weights.bin (raw little-endian Float32 in the order of config.json's "tensors"). A checkpoint
 * is written into a sibling temporary folder and renamed into place, so a kill -9 at any moment
 * leaves either the old checkpoint or the new one, never half of one.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile, open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Gpt, parameterShapes, validateConfig, type GptConfig } from "./gpt.js";
import { tokenizerFromJSON, type Tokenizer, type TokenizerJSON } from "./tokenizer.js";
import { initTensorBackend, tf } from "./tensor.js";

export const CHECKPOINT_FORMAT = "securecoderl-gpt/1";

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in Float32 elements from the start of the weights file. */
  offset: number;
}

interface CheckpointConfig {
  format: string;
  model: GptConfig;
  tensors: TensorEntry[];
  meta: Record<string, unknown>;
}

async function writeSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Float32 values as little-endian bytes (explicitly, so a checkpoint reads the same on any machine). */
function toBytes(chunks: Float32Array[]): Uint8Array {
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const buf = Buffer.alloc(total * 4);
  let o = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++, o += 4) buf.writeFloatLE(c[i]!, o);
  return buf;
}

function fromBytes(buf: Buffer, offset: number, count: number, file: string): Float32Array {
  if ((offset + count) * 4 > buf.length) throw new Error(`${file}: truncated (needs ${(offset + count) * 4} bytes, has ${buf.length})`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = buf.readFloatLE((offset + i) * 4);
  return out;
}

/**
 * Writes a folder of files through `fill(tmp)` and swaps it in for `dir`: rename of the old folder
 * aside, rename of the new one in, removal of the old. A crash between the two renames leaves
 * `dir.old`, which `recoverFolder` puts back.
 */
export async function replaceFolderAtomically(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  const old = `${dir}.old`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await rm(old, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

/** Puts back `dir.old` when a crash happened between replaceFolderAtomically's two renames. */
export async function recoverFolder(dir: string): Promise<void> {
  if (!existsSync(dir) && existsSync(`${dir}.old`)) await rename(`${dir}.old`, dir);
}

export async function writeCheckpointFiles(dir: string, c: { model: Gpt; tokenizer: Tokenizer; meta?: Record<string, unknown> }): Promise<void> {
  const named = c.model.namedVariables();
  const chunks = named.map((p) => p.variable.dataSync() as Float32Array);
  let offset = 0;
  const tensors = named.map((p, i) => {
    const entry = { name: p.name, shape: p.variable.shape, offset };
    offset += chunks[i]!.length;
    return entry;
  });
  const config: CheckpointConfig = { format: CHECKPOINT_FORMAT, model: c.model.config, tensors, meta: c.meta ?? {} };
  await writeSynced(join(dir, "weights.bin"), toBytes(chunks));
  await writeSynced(join(dir, "tokenizer.json"), JSON.stringify(c.tokenizer.toJSON()));
  await writeSynced(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
}

export async function saveCheckpoint(dir: string, c: { model: Gpt; tokenizer: Tokenizer; meta?: Record<string, unknown> }): Promise<void> {
  await replaceFolderAtomically(dir, (tmp) => writeCheckpointFiles(tmp, c));
}

export async function loadCheckpoint(dir: string): Promise<{ model: Gpt; tokenizer: Tokenizer; meta: Record<string, unknown> }> {
  // Loading makes tensors: the backend must be chosen first (idempotent, so callers need not remember).
  await initTensorBackend();
  await recoverFolder(dir);
  const configFile = join(dir, "config.json");
  if (!existsSync(configFile)) throw new Error(`${dir} is not a checkpoint (no config.json)`);
  const config = JSON.parse(await readFile(configFile, "utf8")) as CheckpointConfig;
  if (config.format !== CHECKPOINT_FORMAT) throw new Error(`${configFile}: unknown checkpoint format ${JSON.stringify(config.format)}`);
  validateConfig(config.model);
  const weights = await readFile(join(dir, "weights.bin"));
  const entries = new Map(config.tensors.map((t) => [t.name, t]));
  const values = new Map<string, Float32Array>();
  for (const { name, shape } of parameterShapes(config.model)) {
    const entry = entries.get(name);
    if (!entry) throw new Error(`${configFile}: tensor ${name} missing`);
    if (entry.shape.join(",") !== shape.join(",")) throw new Error(`${configFile}: tensor ${name} has shape [${entry.shape}], the config needs [${shape}]`);
    values.set(name, fromBytes(weights, entry.offset, shape.reduce((a, b) => a * b, 1), join(dir, "weights.bin")));
  }
  const tokenizer = tokenizerFromJSON(JSON.parse(await readFile(join(dir, "tokenizer.json"), "utf8")) as TokenizerJSON);
  if (tokenizer.vocabSize !== config.model.vocabSize) throw new Error(`${dir}: tokenizer has ${tokenizer.vocabSize} ids, the model ${config.model.vocabSize}`);
  return { model: Gpt.fromValues(config.model, values), tokenizer, meta: config.meta ?? {} };
}

/** Named tensors (e.g. Adam's moments) in one file: a JSON header line, then raw little-endian Float32. */
export async function saveTensors(file: string, tensors: Record<string, tf.Tensor>): Promise<void> {
  const names = Object.keys(tensors);
  const chunks = names.map((n) => Float32Array.from(tensors[n]!.dataSync() as ArrayLike<number>));
  let offset = 0;
  const header = names.map((name, i) => {
    const e = { name, shape: tensors[name]!.shape, dtype: tensors[name]!.dtype, offset };
    offset += chunks[i]!.length;
    return e;
  });
  const head = Buffer.from(JSON.stringify(header) + "\n", "utf8");
  const lengthPrefix = Buffer.alloc(4);
  lengthPrefix.writeUInt32LE(head.length);
  await writeSynced(file, Buffer.concat([lengthPrefix, head, toBytes(chunks)]));
}

export async function loadTensors(file: string): Promise<Record<string, tf.Tensor>> {
  await initTensorBackend();
  const buf = await readFile(file);
  const headLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headLength).toString("utf8")) as { name: string; shape: number[]; dtype: string; offset: number }[];
  const body = buf.subarray(4 + headLength);
  const out: Record<string, tf.Tensor> = {};
  for (const e of header) {
    const values = fromBytes(body, e.offset, e.shape.reduce((a, b) => a * b, 1), file);
    out[e.name] = e.dtype === "int32" ? tf.tensor(Int32Array.from(values), e.shape, "int32") : tf.tensor(values, e.shape, "float32");
  }
  return out;
}
