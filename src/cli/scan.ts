import type { Command } from "commander";
import { Option } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// Light modules only (no parser, no rules): scanPaths starts any worker threads first, then loads
// the parser and the rules in this thread while the workers boot (src/analysis/scan/paths.ts).
import { parseLevel } from "../analysis/rules/filters.js";
import { AnalyzerUnavailableError, DEFAULT_ANALYZERS, parseAnalyzerList } from "../analysis/scan/analyzers.js";
import { ConfigError, resolveConfig } from "../analysis/scan/config.js";
import { DEFAULT_EXCLUDE_DIRS } from "../analysis/scan/files.js";
import { FILES_PER_THREAD, scanPaths } from "../analysis/scan/paths.js";
import { preferLateOptimization } from "./jit.js";

interface ScanCliOptions {
  format: "json" | "sarif" | "text";
  analyzer?: string;
  ignoreNosec?: boolean;
  severityLevel: string;
  confidenceLevel: string;
  tests?: string;
  skips?: string;
  config?: string;
  output?: string;
  exclude?: string;
  jobs?: string;
}

function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return (JSON.parse(readFileSync(join(here, "..", "..", "package.json"), "utf8")) as { version: string }).version;
}

const list = (s: string | undefined) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : undefined);

class UsageError extends Error {}

async function runScan(paths: string[], opts: ScanCliOptions): Promise<number> {
  preferLateOptimization();
  try {
    const severity = parseLevel(opts.severityLevel);
    const confidence = parseLevel(opts.confidenceLevel);
    const analyzers = opts.analyzer ? parseAnalyzerList(opts.analyzer) : DEFAULT_ANALYZERS;
    const config = resolveConfig(opts.config);
    const tests = list(opts.tests) ?? config.tests;
    const skips = list(opts.skips) ?? config.skips;
    const excludeDirs = [...DEFAULT_EXCLUDE_DIRS, ...(config.exclude_dirs ?? []), ...(list(opts.exclude) ?? [])];
    const jobs = opts.jobs === undefined || opts.jobs === "auto" ? undefined : Number(opts.jobs);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs must be a positive integer or auto, got ${opts.jobs}`);
    // Rejects unknown analyzers and test ids or names before scanning any file.
    const report = await scanPaths(paths, { analyzers, ignoreNosec: opts.ignoreNosec ?? false, tests, skips, ruleOptions: config.ruleOptions, severity, confidence, excludeDirs, jobs });
    const text =
      opts.format === "json"
        ? (await import("../analysis/scan/format/json.js")).formatJson(report)
        : opts.format === "sarif"
          ? (await import("../analysis/scan/format/sarif.js")).formatSarif(report, packageVersion())
          : (await import("../analysis/scan/format/text.js")).formatText(report);
    if (opts.output) writeFileSync(opts.output, text);
    else process.stdout.write(text);
    return report.results.length > 0 ? 1 : 0;
  } catch (err) {
    const { UnknownTestError } = await import("../analysis/rules/config.js");
    if (
      err instanceof AnalyzerUnavailableError ||
      err instanceof ConfigError ||
      err instanceof UnknownTestError ||
      err instanceof UsageError ||
      (err instanceof Error && /^invalid level/.test(err.message))
    ) {
      process.stderr.write(`securecoderl scan: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

export function registerScan(program: Command): void {
  program
    .command("scan")
    .description("Scan Python files or directories for security issues (Bandit-compatible rules and more).")
    .argument("<paths...>", "Python files or directories (walked recursively for *.py)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["json", "sarif", "text"]).default("text"))
    .option("-a, --analyzer <list>", "comma-separated analyzers: rules (Bandit-compatible), vuln (taint + CWE checks), types (pyright) (default: rules,vuln)")
    .option("--ignore-nosec", "report findings even on lines marked # nosec")
    .option("-l, --severity-level <level>", "report only findings of at least this severity: all, low, medium, high", "all")
    .option("-i, --confidence-level <level>", "report only findings of at least this confidence: all, low, medium, high", "all")
    .option("-t, --tests <ids>", "comma-separated test ids or names to run (default: all)")
    .option("-s, --skips <ids>", "comma-separated test ids or names to skip")
    .option("-c, --config <file>", "config file (pyproject.toml with [tool.securecoderl], or YAML)")
    .option("-x, --exclude <dirs>", "comma-separated directory names or paths to skip")
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option("-j, --jobs <n>", `threads that scan files, this one included (default auto: one per ${FILES_PER_THREAD} files, at most one per CPU; 1 = no worker threads)`, "auto")
    .action(async (paths: string[], opts: ScanCliOptions) => {
      process.exitCode = await runScan(paths, opts);
    });
}
