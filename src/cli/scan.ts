import type { Command } from "commander";
import { Option } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
  const scan = await import("../analysis/scan/index.js");
  const rules = await import("../analysis/rules/index.js");
  let severity, confidence, analyzers, config;
  try {
    severity = rules.parseLevel(opts.severityLevel);
    confidence = rules.parseLevel(opts.confidenceLevel);
    analyzers = opts.analyzer ? scan.parseAnalyzerList(opts.analyzer) : scan.DEFAULT_ANALYZERS;
    config = scan.resolveConfig(opts.config);
    const tests = list(opts.tests) ?? config.tests;
    const skips = list(opts.skips) ?? config.skips;
    rules.selectionPredicate({ tests, skips }); // validates ids and names up front
    await scan.loadAnalyzers(analyzers);
    const excludeDirs = [...scan.DEFAULT_EXCLUDE_DIRS, ...(config.exclude_dirs ?? []), ...(list(opts.exclude) ?? [])];
    const jobs = opts.jobs === undefined || opts.jobs === "auto" ? undefined : Number(opts.jobs);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs must be a positive integer or auto, got ${opts.jobs}`);
    const report = await scan.scanPaths(paths, { analyzers, ignoreNosec: opts.ignoreNosec ?? false, tests, skips, ruleOptions: config.ruleOptions, severity, confidence, excludeDirs, jobs });
    const text =
      opts.format === "json" ? scan.formatJson(report) : opts.format === "sarif" ? scan.formatSarif(report, packageVersion()) : scan.formatText(report);
    if (opts.output) writeFileSync(opts.output, text);
    else process.stdout.write(text);
    return report.results.length > 0 ? 1 : 0;
  } catch (err) {
    if (
      err instanceof scan.AnalyzerUnavailableError ||
      err instanceof scan.ConfigError ||
      err instanceof rules.UnknownTestError ||
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
    .option("-j, --jobs <n>", "threads that scan files, this one included (default auto: one per 150 files, at most one per CPU; 1 = no worker threads)", "auto")
    .action(async (paths: string[], opts: ScanCliOptions) => {
      process.exitCode = await runScan(paths, opts);
    });
}
