import type { Command } from "commander";
import { Option } from "commander";
import { lstatSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// Light modules only (no parser, no rules): scanPaths starts any worker threads first, then loads
// the parser and the rules in this thread while the workers boot (src/analysis/scan/paths.ts).
import { LEVELS, parseLevel, type Level } from "../analysis/rules/filters.js";
import { AnalyzerUnavailableError, DEFAULT_ANALYZERS, INCOMPLETE_REASON, parseAnalyzerList } from "../analysis/scan/analyzers.js";
import { ConfigError, resolveConfig } from "../analysis/scan/config.js";
import { DEFAULT_EXCLUDE_DIRS } from "../analysis/scan/files.js";
import { FILES_PER_THREAD, scanPaths } from "../analysis/scan/paths.js";
import { DEFAULT_MAX_FILE_BYTES } from "../analysis/scan/read.js";
import { preferLateOptimization } from "./jit.js";

type Format = "json" | "sarif" | "text" | "screen" | "txt" | "csv" | "html";

interface ScanCliOptions {
  format: Format;
  analyzer?: string;
  ignoreNosec?: boolean;
  severityLevel: string;
  confidenceLevel: string;
  /** Bandit's counted flags: -l LOW, -ll MEDIUM, -lll HIGH (and -i... for confidence). */
  level?: number;
  confidence?: number;
  recursive?: boolean;
  quiet?: boolean;
  silent?: boolean;
  exitZero?: boolean;
  baseline?: string;
  maxFileSize?: string;
  analysisBudget?: string;
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

/** The stricter of a named level and a counted flag (`-ll` = medium). */
function levelOf(named: string, counted: number | undefined): Level {
  const a = parseLevel(named);
  const b = LEVELS[Math.min(3, counted ?? 0)]!;
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b;
}

/** `4194304`, `512K`, `2M`, `1G` (binary units). */
function parseSize(value: string): number {
  const m = /^(\d+)([kKmMgG]i?[bB]?)?$/.exec(value.trim());
  if (!m) throw new UsageError(`--max-file-size must be a number of bytes, optionally with K, M or G, got ${JSON.stringify(value)}`);
  const unit = (m[2] ?? "").charAt(0).toUpperCase();
  return Number(m[1]) * (unit === "K" ? 1024 : unit === "M" ? 1024 ** 2 : unit === "G" ? 1024 ** 3 : 1);
}

/** A path that does not exist is a usage error, as a typo in it would otherwise read as "no issues". */
function checkTargets(paths: readonly string[]): void {
  for (const p of paths) {
    try {
      lstatSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(code === "ENOENT" ? `no such file or directory: ${p}` : `cannot access ${p}: ${code ?? String(err)}`);
    }
  }
}

const count = (_value: string | boolean, previous: number) => previous + 1;

async function runScan(paths: string[], opts: ScanCliOptions): Promise<number> {
  preferLateOptimization();
  try {
    const severity = levelOf(opts.severityLevel, opts.level);
    const confidence = levelOf(opts.confidenceLevel, opts.confidence);
    const maxFileBytes = opts.maxFileSize === undefined ? DEFAULT_MAX_FILE_BYTES : parseSize(opts.maxFileSize);
    const analysisBudgetMs = opts.analysisBudget === undefined ? undefined : Number(opts.analysisBudget);
    if (analysisBudgetMs !== undefined && !(Number.isFinite(analysisBudgetMs) && analysisBudgetMs > 0)) throw new UsageError(`--analysis-budget must be a positive number of milliseconds, got ${opts.analysisBudget}`);
    checkTargets(paths);
    const baseline = opts.baseline ? (await import("../analysis/scan/baseline.js")).loadBaseline(opts.baseline) : undefined;
    const analyzers = opts.analyzer ? parseAnalyzerList(opts.analyzer) : DEFAULT_ANALYZERS;
    const config = resolveConfig(opts.config);
    const tests = list(opts.tests) ?? config.tests;
    const skips = list(opts.skips) ?? config.skips;
    const excludeDirs = [...DEFAULT_EXCLUDE_DIRS, ...(config.exclude_dirs ?? []), ...(list(opts.exclude) ?? [])];
    const jobs = opts.jobs === undefined || opts.jobs === "auto" ? undefined : Number(opts.jobs);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs must be a positive integer or auto, got ${opts.jobs}`);
    // Rejects unknown analyzers and test ids or names before scanning any file.
    const report = await scanPaths(paths, { analyzers, ignoreNosec: opts.ignoreNosec ?? false, tests, skips, ruleOptions: config.ruleOptions, severity, confidence, excludeDirs, jobs, maxFileBytes, ...(analysisBudgetMs !== undefined ? { analysisBudgetMs } : {}) });
    if (baseline) {
      const { newSinceBaseline } = await import("../analysis/scan/baseline.js");
      report.results = newSinceBaseline(report.results, baseline);
    }
    const text = await render(report, opts.format);
    if (opts.output) writeFileSync(opts.output, text);
    else process.stdout.write(text);
    if (!opts.quiet && !opts.silent && report.errors.length > 0 && (opts.output || opts.format !== "text")) {
      const incomplete = report.errors.filter((e) => e.reason === INCOMPLETE_REASON).length;
      const failed = report.errors.length - incomplete;
      const parts = [failed > 0 ? `${failed} file${failed === 1 ? "" : "s"} could not be scanned` : "", incomplete > 0 ? `${incomplete} file${incomplete === 1 ? " was" : "s were"} not fully analysed` : ""].filter(Boolean);
      process.stderr.write(`securecoderl scan: ${parts.join(", ")} (listed under errors in the report)\n`);
    }
    return report.results.length > 0 && !opts.exitZero ? 1 : 0;
  } catch (err) {
    const { UnknownTestError } = await import("../analysis/rules/config.js");
    if (
      err instanceof AnalyzerUnavailableError ||
      err instanceof ConfigError ||
      err instanceof UnknownTestError ||
      err instanceof UsageError ||
      (err instanceof Error && err.name === "BaselineError") ||
      (err instanceof Error && /^invalid level/.test(err.message))
    ) {
      process.stderr.write(`securecoderl scan: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function render(report: Awaited<ReturnType<typeof scanPaths>>, format: Format): Promise<string> {
  switch (format) {
    case "json":
      return (await import("../analysis/scan/format/json.js")).formatJson(report);
    case "sarif":
      return (await import("../analysis/scan/format/sarif.js")).formatSarif(report, packageVersion());
    case "csv":
      return (await import("../analysis/scan/format/csv.js")).formatCsv(report);
    case "html":
      return (await import("../analysis/scan/format/html.js")).formatHtml(report);
    default:
      return (await import("../analysis/scan/format/text.js")).formatText(report);
  }
}

export function registerScan(program: Command): void {
  program
    .command("scan")
    .description("Scan Python files or directories for security issues (Bandit-compatible rules and more).")
    .argument("<paths...>", "Python files or directories (walked recursively for *.py); a path that does not exist is an error (exit 2)")
    .addOption(new Option("-f, --format <format>", "output format (screen and txt: text)").choices(["json", "sarif", "text", "screen", "txt", "csv", "html"]).default("text"))
    .option("-r, --recursive", "accepted for Bandit command lines: directories are always walked recursively")
    .option("-a, --analyzer <list>", "comma-separated analyzers: rules (Bandit-compatible), vuln (taint + CWE checks), types (pyright) (default: rules,vuln)")
    .option("--ignore-nosec", "report findings even on lines marked # nosec")
    .option("-l, --level", "report only findings of at least a severity: -l LOW, -ll MEDIUM, -lll HIGH", count, 0)
    .option("-i, --confidence", "report only findings of at least a confidence: -i LOW, -ii MEDIUM, -iii HIGH", count, 0)
    .option("--severity-level <level>", "report only findings of at least this severity: all, low, medium, high", "all")
    .option("--confidence-level <level>", "report only findings of at least this confidence: all, low, medium, high", "all")
    .option("-b, --baseline <file>", "a previous JSON report: report only findings it does not have (matched by file, test id, text, severity, confidence and the flagged line's code, not line numbers)")
    .option("--exit-zero", "exit 0 even when findings are reported (errors still exit 2)")
    .option("-q, --quiet", "no notes on stderr (the report is still written)")
    .addOption(new Option("--silent", "same as --quiet (Bandit's spelling)").hideHelp())
    .option("--analysis-budget <ms>", "CPU milliseconds the detector (vuln) may spend on one file; a file past it keeps its findings so far and is listed under errors as not fully analysed (default 2000)")
    .option("--max-file-size <size>", `skip files larger than this, each with an error (bytes, or K/M/G; default ${DEFAULT_MAX_FILE_BYTES / 1024 / 1024}M)`)
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
