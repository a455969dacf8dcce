import type { Command } from "commander";

export interface AuditCliOptions {
  tasks: string[];
  dataset?: string;
  spec: string;
  limit: string;
  json?: boolean;
  jobs: string;
  timeout: string;
  memory: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `securecoderl audit`: known reward hacks against the verifier, each next to an honest wrong answer. */
export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description("Run a battery of known reward hacks against the verifier on real tasks; exit 1 if any earns more than an honest wrong answer")
    .requiredOption("--tasks <path>", "task file or folder (repeat for several datasets); the first --limit tasks of each are audited", collect)
    .option("--dataset <kind>", "dataset layout for every --tasks: apps, apps-plus, stepcoder-apps, seccodeplt, safesql, jsonl (default: detected)")
    .option("--spec <name>", "reward spec: securecoderl, real, or a YAML/JSON file with a custom spec", "securecoderl")
    .option("--limit <n>", "tasks audited per --tasks (the first n)", "3")
    .option("--json", "print the report as JSON instead of a table")
    .option("--jobs <n>", "sandbox workers (1 keeps a cross-sample channel's writer and reader on one worker)", "1")
    .option("--timeout <seconds>", "CPU-time limit per test in seconds, as in verify", "4")
    .option("--memory <mb>", "memory limit per test in MB", "1024")
    .action(async (opts: AuditCliOptions) => {
      const { runAuditCommand } = await import("./audit-run.js");
      process.exitCode = await runAuditCommand(opts);
    });
}
