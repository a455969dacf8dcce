import type { Command } from "commander";
import { Option } from "commander";

interface TrainCliOptions {
  tasks?: string;
  data?: string;
  init?: string;
  out?: string;
  config?: string;
  seed?: string;
  rewardUrl?: string;
  spec?: string;
  engine?: "verl" | "openrlhf" | "trl" | "hf";
  model?: string;
  gpus?: string;
  limit?: string;
}

const ALGORITHMS = ["sft", "ppo", "grpo"] as const;
type Algorithm = (typeof ALGORITHMS)[number];

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("Train a policy with SFT, PPO or GRPO (in-process on a small model, or through an external engine)")
    .addArgument(program.createArgument("<algorithm>", "training algorithm").choices(ALGORITHMS))
    .option("--tasks <path>", "task file or folder the rewards are computed on")
    .option("--data <file>", "SFT data (JSONL of prompt/completion)")
    .option("--init <dir>", "checkpoint to start from")
    .option("--out <dir>", "run folder (checkpoints, metrics.jsonl, report.html)")
    .option("--config <file>", "JSON file overriding the algorithm's hyperparameters")
    .option("--seed <n>", "random seed")
    .option("--reward-url <url>", "score with running `securecoderl serve` replicas (URL[,URL...]) instead of in-process")
    .option("--spec <name>", "reward spec name")
    .addOption(new Option("--engine <name>", "run on an external training engine").choices(["verl", "openrlhf", "trl", "hf"]))
    .option("--model <id>", "model id for an engine run")
    .option("--gpus <n>", "GPUs for an engine run")
    .option("--limit <n>", "use only the first N tasks of each task file")
    .action(async (algorithm: Algorithm, opts: TrainCliOptions) => {
      try {
        if (opts.engine) {
          // Engine runs are a separate module so the in-process trainer's tensor library is never loaded for them.
          const { runTrainEngine } = await import("./train-engine.js");
          process.exitCode = await runTrainEngine(algorithm, { ...opts });
          return;
        }
        if (algorithm === "ppo" || algorithm === "grpo") {
          const { runRlCommand } = await import("./train-rl.js");
          process.exitCode = await runRlCommand(algorithm, opts);
          return;
        }
        if (!opts.out) throw new Error("--out DIR is required");
        if (algorithm === "sft") {
          // Loaded only here: the tensor library is heavy and other commands never need it.
          const { runTrainSft } = await import("./train-sft.js");
          process.exitCode = await runTrainSft({ ...opts, out: opts.out });
          // Every run folder gets the same report (loss curves for SFT).
          if (process.exitCode === 0) await (await import("../train/report.js")).writeReport(opts.out);
          return;
        }
        throw new Error(`unknown algorithm ${String(algorithm)}`);
      } catch (err) {
        process.stderr.write(`securecoderl train: ${(err as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
