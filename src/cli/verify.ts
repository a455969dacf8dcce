import type { Command } from "commander";

export interface VerifyCliOptions {
  tasks: string;
  dataset?: string;
  samples: string;
  out: string;
  jobs?: string;
  judge: string;
  timeout: string;
  memory: string;
  reward: string;
  analyzers?: string;
  verifier?: string;
}

/** `securecoderl verify`: judge sampled completions against their tasks, one result line a sample. */
export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("Judge completions (JSONL {task_id, completion}) against their tasks' tests in the sandbox")
    .requiredOption("--tasks <path>", "task file or folder (Parquet, JSONL, JSON, APPS folders)")
    .option("--dataset <kind>", "dataset layout: apps, apps-plus, stepcoder-apps, seccodeplt, safesql, jsonl (default: detected)")
    .requiredOption("--samples <file>", "JSONL of {\"task_id\": ..., \"completion\": ...} (markdown fences allowed)")
    .requiredOption("--out <file>", "JSONL results, one line a sample, in input order")
    .option("--jobs <n>", "parallel sandboxed jobs (default: the machine's parallelism)")
    .option("--judge <mode>", "output comparison: strict or apps (the original APPS harness's leniency)", "strict")
    .option("--timeout <seconds>", "CPU-time limit per test in seconds (wall-clock backstop at 3x plus 1 s; a SecCodePLT case gets at most 1 s)", "4")
    .option("--memory <mb>", "memory limit per test in MB", "1024")
    .option("--reward <spec>", "reward spec: securecoderl, real, or a YAML/JSON file with a custom spec", "securecoderl")
    .option("--analyzers <list>", "static analyzers: rules,vuln,types (default rules,vuln + what the reward counts)")
    .option("--verifier <urls>", "judge on `securecoderl serve` replicas instead of here: URL[,URL...] (or one load balancer); token from SECURECODERL_TOKEN")
    .action(async (opts: VerifyCliOptions) => {
      const { runVerify } = await import("./verify-run.js");
      process.exitCode = await runVerify(opts);
    });
}
