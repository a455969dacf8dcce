/**
 * A training run's folder, the same for SFT, PPO and GRPO:
 *   DIR/config.json     the full hyperparameter config actually used
 *   DIR/metrics.jsonl   one row per step, fsync'd, so a kill -9 loses at most the row being written
 *   DIR/checkpoint/     the latest complete checkpoint (model, tokenizer, optimizer.bin, state.json),
 *                       replaced as a whole folder by rename, so it is always complete
 * Resuming reads the checkpoint's step and drops metric rows written after it (those steps run again).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadCheckpoint, loadTensors, recoverFolder, replaceFolderAtomically, saveTensors, writeCheckpointFiles } from "../model/checkpoint.js";
import type { Gpt } from "../model/gpt.js";
import type { Tokenizer } from "../model/tokenizer.js";
import type { tf } from "../model/tensor.js";

export type Algorithm = "sft" | "ppo" | "grpo";

/** What a trainer needs to continue exactly where it stopped. */
export interface TrainingState {
  step: number;
  /** ResumableRandom.state of every generator the trainer draws from. */
  rng: Record<string, number>;
  /** Anything else the algorithm keeps across steps (best validation loss, patience, ...). */
  extra?: Record<string, unknown>;
}

export class RunFolder {
  private constructor(
    readonly dir: string,
    readonly algorithm: Algorithm,
    readonly config: object,
    readonly resumeStep: number,
  ) {}

  /** True when DIR holds a complete checkpoint to resume from. */
  static hasCheckpoint(dir: string): boolean {
    return existsSync(join(dir, "checkpoint", "state.json")) || existsSync(join(dir, "checkpoint.old", "state.json"));
  }

  /**
   * DIR/config.json holds the config's fields plus "algorithm".
   * Opens DIR for a run. With `resume`, the checkpoint's step is where training continues and the saved
   * config.json is the one in force (a resumed run must not change its hyperparameters half-way).
   * Without it, a folder that already holds a checkpoint is refused rather than overwritten.
   */
  static async open(dir: string, opts: { algorithm: Algorithm; config: object; resume: boolean }): Promise<RunFolder> {
    mkdirSync(dir, { recursive: true });
    await recoverFolder(join(dir, "checkpoint"));
    const statePath = join(dir, "checkpoint", "state.json");
    const configPath = join(dir, "config.json");
    if (opts.resume && existsSync(statePath)) {
      const state = JSON.parse(readFileSync(statePath, "utf8")) as TrainingState;
      const saved = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, "utf8")) as { algorithm?: string } & Record<string, unknown>) : undefined;
      if (saved?.algorithm && saved.algorithm !== opts.algorithm) throw new Error(`${dir} holds a ${saved.algorithm} run, not ${opts.algorithm}`);
      dropRowsAfter(join(dir, "metrics.jsonl"), state.step);
      const { algorithm: _algorithm, ...savedConfig } = saved ?? {};
      return new RunFolder(dir, opts.algorithm, saved ? savedConfig : opts.config, state.step);
    }
    if (existsSync(statePath)) throw new Error(`${dir} already holds a ${opts.algorithm} run's checkpoint: resume it, or choose another --out`);
    writeFileSync(configPath, JSON.stringify({ algorithm: opts.algorithm, ...opts.config }, null, 2) + "\n");
    writeFileSync(join(dir, "metrics.jsonl"), "");
    return new RunFolder(dir, opts.algorithm, opts.config, 0);
  }

  appendMetrics(row: Record<string, number | string>): void {
    const fd = openSync(join(this.dir, "metrics.jsonl"), "a");
    try {
      writeSync(fd, JSON.stringify(row) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The metric rows written so far (after a resume: those up to the checkpoint); a cut line is skipped. */
  metricsRows(): Record<string, unknown>[] {
    const file = join(this.dir, "metrics.jsonl");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  checkpointDir(): string {
    return join(this.dir, "checkpoint");
  }

  /** Model, tokenizer, optimizer moments and trainer state, swapped in as one folder. */
  async saveCheckpoint(c: { model: Gpt; tokenizer: Tokenizer; optimizer: Record<string, tf.Tensor>; state: TrainingState; meta?: Record<string, unknown> }): Promise<void> {
    await replaceFolderAtomically(this.checkpointDir(), async (tmp) => {
      await writeCheckpointFiles(tmp, { model: c.model, tokenizer: c.tokenizer, meta: { algorithm: this.algorithm, step: c.state.step, ...c.meta } });
      await saveTensors(join(tmp, "optimizer.bin"), c.optimizer);
      writeFileSync(join(tmp, "state.json"), JSON.stringify(c.state) + "\n");
    });
  }

  async loadCheckpoint(): Promise<{ model: Gpt; tokenizer: Tokenizer; optimizer: Record<string, tf.Tensor>; state: TrainingState; meta: Record<string, unknown> }> {
    const dir = this.checkpointDir();
    const { model, tokenizer, meta } = await loadCheckpoint(dir);
    const optimizer = await loadTensors(join(dir, "optimizer.bin"));
    const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as TrainingState;
    return { model, tokenizer, optimizer, state, meta };
  }
}

/** Keeps the metric rows up to `step` (rows after the last checkpoint describe steps that will run again). */
function dropRowsAfter(file: string, step: number): void {
  if (!existsSync(file)) return;
  const kept = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => {
      if (!line.trim()) return false;
      try {
        const row = JSON.parse(line) as { step?: unknown };
        return typeof row.step !== "number" || row.step <= step;
      } catch {
        // A line cut by the kill is the one being written when it came: drop it.
        return false;
      }
    });
  writeFileSync(file, kept.map((l) => l + "\n").join(""));
}
