import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { registerRun } from "./run.js";
import { registerVerify } from "./verify.js";
import { registerDoctor } from "./doctor.js";
import { registerScan } from "./scan.js";
import { registerBench } from "./bench.js";
import { registerCompare } from "./compare.js";
import { registerAnalyze } from "./analyze.js";
import { registerServe } from "./serve.js";
import { registerSftData } from "./sft-data.js";
import { registerTrain } from "./train.js";
import { registerAudit } from "./audit.js";

/**
 * Command modules must keep their top-level imports light (commander, node built-ins) and load
 * heavy stages (tree-sitter, sqlite, the sandbox) inside their action, so `--help` stays instant.
 */
function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const pkg = JSON.parse(readFileSync(join(here, "..", "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("securecoderl")
    .description("Verify, reward and benchmark code-generating models on correct and secure Python.")
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerVerify(program);
  registerScan(program);
  registerBench(program);
  registerCompare(program);
  registerAnalyze(program);
  registerServe(program);
  registerSftData(program);
  registerTrain(program);
  registerAudit(program);
  registerDoctor(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests end through here with exit code 0; usage errors with 2, as Bandit does.
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`securecoderl: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
