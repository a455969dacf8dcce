import type { Command } from "commander";
import { Option } from "commander";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface BenchCliOptions {
  config?: string;
  tasks?: string[];
  dataset?: string;
  limit?: string;
  samples?: string;
  model?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  reward?: string;
  n?: string;
  temperature?: string;
  seed?: string;
  maxTokens?: string;
  promptFormat?: string;
  jobs?: string;
  timeout?: string;
  memory?: string;
  judge?: string;
  severity?: string;
  analyzers?: string;
  passK?: string;
  name?: string;
  out?: string;
  resume?: boolean;
  force?: boolean;
  quiet?: boolean;
  verifier?: string;
}

/** The bundled mini benchmark's config, found from the installed package (dist/cli -> package root). */
export function miniConfigPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, "..", "..", "bench-data", "mini", "config.yaml");
}

class UsageError extends Error {}

function int(value: string | undefined, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function float(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number, got ${JSON.stringify(value)}`);
  return n;
}

/** Config from the file (if any) with every given flag laid over it. */
async function buildConfig(opts: BenchCliOptions): Promise<{ raw: Record<string, unknown>; mini: boolean; verifier?: string[] }> {
  const bench = await import("../bench/index.js");
  const noInputs = !opts.config && !opts.tasks && !opts.samples && !opts.model;
  const configPath = opts.config ?? (noInputs ? miniConfigPath() : undefined);
  const raw: Record<string, unknown> = configPath ? await bench.readConfigFile(configPath) : {};
  if (opts.tasks) {
    const limit = int(opts.limit, "--limit");
    raw.datasets = opts.tasks.map((p) => ({ path: resolve(p), ...(opts.dataset ? { kind: opts.dataset } : {}), ...(limit ? { limit } : {}) }));
  } else if (opts.limit !== undefined && Array.isArray(raw.datasets)) {
    const limit = int(opts.limit, "--limit");
    raw.datasets = raw.datasets.map((d) => ({ ...(d as object), limit }));
  }
  if (opts.samples || opts.model) {
    const models: Record<string, unknown>[] = [];
    if (opts.samples) models.push({ backend: "replay", samples: resolve(opts.samples), name: opts.name ?? "replay" });
    if (opts.model) {
      if (/\.gguf$/i.test(opts.model)) models.push({ backend: "llamacpp", model_path: resolve(opts.model) });
      else {
        if (!opts.baseUrl) throw new UsageError("--model NAME needs --base-url URL (an OpenAI-compatible server), or pass a .gguf file for llama.cpp");
        models.push({ backend: "openai", base_url: opts.baseUrl, model: opts.model, ...(opts.apiKeyEnv ? { api_key_env: opts.apiKeyEnv } : {}) });
      }
    }
    raw.models = models;
  }
  if (opts.reward) raw.reward = await (await import("../reward/load.js")).readRewardArgument(opts.reward);
  const set = (key: string, value: unknown) => {
    if (value !== undefined) raw[key] = value;
  };
  set("n", int(opts.n, "--n"));
  set("temperature", float(opts.temperature, "--temperature"));
  set("seed", int(opts.seed, "--seed", 0));
  set("max_tokens", int(opts.maxTokens, "--max-tokens"));
  set("prompt_format", opts.promptFormat);
  set("jobs", int(opts.jobs, "--jobs"));
  const timeout = float(opts.timeout, "--timeout");
  set("timeout_ms", timeout !== undefined ? Math.max(1, Math.round(timeout * 1000)) : undefined);
  set("memory_mb", int(opts.memory, "--memory"));
  set("judge", opts.judge);
  set("severity", opts.severity?.toUpperCase());
  set("analyzers", opts.analyzers?.split(",").map((s) => s.trim()).filter(Boolean));
  set("pass_k", opts.passK?.split(",").map((s) => int(s.trim(), "--pass-k")));
  if (opts.name) set("name", opts.name);
  let verifier: string[] | undefined;
  if (opts.verifier) {
    try {
      verifier = (await import("../verify/remote.js")).parseVerifierUrls(opts.verifier);
    } catch (err) {
      throw new UsageError(`--verifier: ${(err as Error).message}`);
    }
    set("verifier", verifier);
  }
  return { raw, mini: noInputs, ...(verifier ? { verifier } : {}) };
}

function pct(x: number | null): string {
  return x === null ? "-" : `${(100 * x).toFixed(1)}%`;
}

async function runBenchCommand(opts: BenchCliOptions): Promise<number> {
  const bench = await import("../bench/index.js");
  let built;
  try {
    built = await buildConfig(opts);
  } catch (err) {
    if (err instanceof UsageError || err instanceof bench.ConfigError) {
      process.stderr.write(`securecoderl bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const out = resolve(opts.out ?? join("securecoderl-out", built.mini ? "mini" : "run"));
  if (built.mini && !opts.resume && !opts.quiet) process.stderr.write(`No tasks or models given: running the bundled mini benchmark (${miniConfigPath()}).\n`);
  const progress = (await import("../bench/progress.js")).createProgress({ quiet: opts.quiet ?? false });
  let summary;
  try {
    summary = await bench.runBench(built.raw, { out, resume: opts.resume ?? false, force: opts.force ?? false, ...(opts.jobs ? { jobs: Number(opts.jobs) } : {}), ...(built.verifier ? { verifier: built.verifier } : {}), progress, log: (l) => { if (!opts.quiet) process.stderr.write(`${l}\n`); } });
  } catch (err) {
    if (err instanceof bench.RunDirError || err instanceof bench.ConfigError || (err instanceof Error && /^(invalid|unknown reward spec|cannot read tasks|unknown task file format|cannot tell which dataset|limit must be)/.test(err.message))) {
      process.stderr.write(`securecoderl bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { readFileSync } = await import("node:fs");
  const metrics = JSON.parse(readFileSync(summary.paths.metrics, "utf8")) as import("../bench/index.js").MetricsFile;
  const o = metrics.overall;
  process.stdout.write(
    [
      `samples ${o.samples} (errored ${o.errored})  compile ${pct(o.compile_rate)}  all pass ${pct(o.all_pass_rate)} (of compiling ${pct(o.all_pass_rate_of_compiling)})  security issue ${pct(o.security_issue_rate)}  mean reward ${o.mean_reward === null ? "-" : o.mean_reward.toFixed(3)}`,
      `results: ${summary.paths.results}`,
      `metrics: ${summary.paths.metrics}`,
      `SARIF:   ${summary.paths.sarif}`,
      `report:  ${summary.paths.report}`,
      "",
    ].join("\n"),
  );
  return 0;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerBench(program: Command): void {
  program
    .command("bench")
    .description("Benchmark: tasks -> generate -> verify -> results.jsonl, metrics.json, report.html, findings.sarif. With no arguments, runs the bundled mini benchmark.")
    .option("--config <file>", "bench config (YAML or JSON); flags override its fields")
    .option("--tasks <path>", "task file or APPS folder (repeatable)", collect)
    .addOption(new Option("--dataset <kind>", "row layout of --tasks").choices(["apps", "apps-plus", "stepcoder-apps", "seccodeplt", "safesql", "jsonl"]))
    .option("--limit <n>", "first N tasks of each dataset")
    .option("--samples <file>", "replay completions from a samples JSONL file ({task_id, completion} a line)")
    .option("--model <name>", "OpenAI-compatible model name (with --base-url), or a .gguf file for llama.cpp")
    .option("--base-url <url>", "OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    .option("--api-key-env <var>", "environment variable holding the API key")
    .option("--reward <spec>", "reward spec: securecoderl, real, or a YAML/JSON file with a custom spec")
    .option("--n <n>", "samples per task (replay default: all samples in the file)")
    .option("--temperature <t>", "sampling temperature")
    .option("--seed <s>", "sampling seed")
    .option("--max-tokens <n>", "completion token limit")
    .addOption(new Option("--prompt-format <f>", "prompt format").choices(["chat", "completion"]))
    .option("--jobs <n>", "sandbox workers (default: CPU cores)")
    .option("--timeout <s>", "per-test time limit in seconds")
    .option("--memory <mb>", "per-test memory limit in MB")
    .addOption(new Option("--judge <mode>", "output comparison").choices(["strict", "apps"]))
    .addOption(new Option("--severity <level>", "lowest finding severity counted by security_issue_rate").choices(["low", "medium", "high", "LOW", "MEDIUM", "HIGH"]))
    .option("--analyzers <list>", "analyzers to run: rules,vuln,types (default rules,vuln + what the reward counts)")
    .option("--pass-k <list>", "k values for pass@k (default 1,5,10)")
    .option("--name <name>", "run name shown in reports and compare")
    .option("--out <dir>", "run folder (default ./securecoderl-out/mini for the mini benchmark, else ./securecoderl-out/run)")
    .option("--resume", "continue the run stored in --out (after a crash or kill)")
    .option("--force", "delete an existing run in --out and start over")
    .option("--quiet", "no progress output")
    .option("--verifier <urls>", "verify on `securecoderl serve` replicas: URL[,URL...] or one load balancer (token from SECURECODERL_TOKEN)")
    .action(async (opts: BenchCliOptions) => {
      process.exitCode = await runBenchCommand(opts);
    });
}
