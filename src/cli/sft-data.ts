import type { Command } from "commander";

interface SftDataCliOptions {
  run?: string[];
  tasks?: string[];
  out: string;
  minReward: string;
  valFraction: string;
  seed: string;
  spec: string;
  jobs?: string;
  limit?: string;
}

function collect(value: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), value];
}

/**
 * Reads bench run folders' results.jsonl directly (the run's public output), so the command needs
 * neither the bench stage nor its SQLite store; prompts come from the task files, since results
 * carry ids only. A bad line is reported and skipped.
 */
export function registerSftData(program: Command): void {
  program
    .command("sft-data")
    .description("Build SFT data (chat JSONL, prompt/completion JSONL, verl Parquet) from judged bench runs, with the paper's table-4.4 statistics")
    .option("--run <dir>", "bench run folder holding results.jsonl (repeatable)", collect)
    .option("--tasks <path>", "task file(s): the prompts for --run, or alone, the tasks whose references are judged and used (repeatable)", collect)
    .option("--out <dir>", "output folder", "./securecoderl-out/sft-data")
    .option("--min-reward <r>", "keep samples with reward at or above this", "0.4")
    .option("--val-fraction <f>", "validation share, split by task", "0.1")
    .option("--seed <n>", "split seed", "0")
    .option("--spec <name>", "without --run: the reward spec the task references are judged under", "securecoderl")
    .option("--limit <n>", "use only the first N tasks of each task file")
    .option("--jobs <n>", "without --run: parallel sandboxed jobs for judging the references")
    .action(async (opts: SftDataCliOptions) => {
      const { buildSftData } = await import("./sft-data-build.js");
      try {
        process.exitCode = await buildSftData({
          runs: opts.run ?? [],
          tasks: opts.tasks ?? [],
          out: opts.out,
          minReward: Number(opts.minReward),
          valFraction: Number(opts.valFraction),
          seed: Number(opts.seed),
          spec: opts.spec,
          ...(opts.jobs ? { jobs: Number(opts.jobs) } : {}),
          ...(opts.limit ? { limit: Number(opts.limit) } : {}),
        });
      } catch (err) {
        process.stderr.write(`securecoderl sft-data: ${(err as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
