/** The `train sft` action: gathers prompt/completion pairs (--data or judged task references) and runs src/train/sft.ts. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface TrainSftOptions {
  tasks?: string;
  data?: string;
  init?: string;
  out: string;
  config?: string;
  seed?: string;
  spec?: string;
  limit?: string;
}

function warn(line: string): void {
  process.stderr.write(`securecoderl train sft: ${line}\n`);
}

export async function runTrainSft(o: TrainSftOptions): Promise<number> {
  const { sftConfig, runSft } = await import("../train/sft.js");
  const { readPairsFile, splitPairs } = await import("../train/sft-pairs.js");
  const overrides = o.config ? (JSON.parse(readFileSync(o.config, "utf8")) as Record<string, unknown>) : {};
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) throw new Error(`${o.config}: a JSON object of hyperparameters is expected`);
  const config = sftConfig(overrides);
  const seed = o.seed === undefined ? 0 : Number(o.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${JSON.stringify(o.seed)}`);
  // --init takes a checkpoint, or a run folder (its best model, else its latest checkpoint).
  const init = o.init ? [resolve(o.init, "model"), resolve(o.init, "checkpoint"), resolve(o.init)].find((d) => existsSync(resolve(d, "config.json"))) : undefined;
  if (o.init && !init) throw new Error(`--init ${o.init} is neither a checkpoint folder nor a run folder (no config.json in it, its model/ or its checkpoint/)`);

  let train: { prompt: string; completion: string }[];
  let validation: { prompt: string; completion: string }[];
  if (o.data) {
    const pairs = readPairsFile(o.data, warn);
    ({ train, validation } = splitPairs(pairs, config.valFraction, seed));
  } else if (o.tasks) {
    // The same data `securecoderl sft-data --tasks` builds: references judged by the Verifier, kept
    // by reward, deduplicated and split by task.
    const { loadTasks } = await import("../task/index.js");
    const { judgeReferences } = await import("./sft-data-build.js");
    const { selectSft, promptCompletionRow } = await import("../train/data/index.js");
    const loaded = await loadTasks(o.tasks, o.limit !== undefined ? { limit: Number(o.limit) } : {});
    for (const e of loaded.errors) warn(`${o.tasks} row ${e.index}: ${e.reason}`);
    const safesqlReferences = new Set(loaded.tasks.filter((t) => t.kind === "safesql").flatMap((t) => t.references.map((r) => r.trim())));
    const samples = await judgeReferences(loaded.tasks, { runs: [], tasks: [o.tasks], out: "", minReward: config.minReward, valFraction: config.valFraction, seed, spec: o.spec ?? "securecoderl" });
    const split = selectSft(samples, { minReward: config.minReward, valFraction: config.valFraction, seed, safesqlReferences });
    train = split.train.map(promptCompletionRow);
    validation = split.validation.map(promptCompletionRow);
    warn(`${samples.length} references judged, ${split.stats.kept_samples} kept (reward ≥ ${config.minReward})`);
  } else {
    throw new Error("sft needs --data FILE (JSONL of prompt/completion) or --tasks PATH (task references)");
  }
  if (train.length === 0) throw new Error("no training examples (check the data file, or the references' rewards against minReward)");
  const result = await runSft({ out: o.out, train, validation, config, seed, ...(init ? { init } : {}) });
  process.stdout.write(
    `sft: ${result.steps} steps${result.stoppedEarly ? " (early stop)" : ""}, best validation loss ${result.bestValLoss === null ? "n/a" : result.bestValLoss.toFixed(4)}; model in ${result.modelDir}\n`,
  );
  return 0;
}
