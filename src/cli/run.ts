import type { Command } from "commander";

interface RunOptions {
  stdin?: string;
  timeout?: string;
  memory?: string;
  json?: boolean;
}

/** `securecoderl run FILE.py`: one program through the real sandbox, one verdict. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("Run a Python program in the sandbox and report how it ended")
    .argument("<file>", "Python source file")
    .option("--stdin <file>", "file fed to the program's standard input")
    .option("--timeout <seconds>", "CPU-time limit in seconds (a program that sleeps or blocks is stopped at 3x this plus 1 s of wall clock)", "4")
    .option("--memory <mb>", "memory limit in MB", "1024")
    .option("--json", "print one JSON object {status, exit_code, stdout, stderr, wall_ms, cpu_ms, max_rss_kb}")
    .action(async (file: string, opts: RunOptions) => {
      const { runFile } = await import("../sandbox/run-file.js");
      process.exitCode = await runFile(file, opts);
    });
}
