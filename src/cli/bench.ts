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
  topP?: string;
  seed?: string;
  systemPrompt?: string;
  promptTemplate?: string[];
  cache?: boolean;
  retryErrors?: boolean;
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
      else if (opts.model.startsWith("local:")) models.push({ backend: "local", path: resolve(opts.model.slice("local:".length)) });
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
  const topP = float(opts.topP, "--top-p");
  if (topP !== undefined && (topP <= 0 || topP > 1)) throw new UsageError(`--top-p must be in (0, 1], got ${JSON.stringify(opts.topP)}`);
  set("top_p", topP);
  set("system_prompt", opts.systemPrompt);
  if (opts.promptTemplate) {
    const templates: Record<string, string> = { ...((raw.prompt_templates as Record<string, string> | undefined) ?? {}) };
    for (const item of opts.promptTemplate) {
      const eq = item.indexOf("=");
      const style = item.slice(0, eq);
      if (eq < 1 || !["stdin", "function", "seccodeplt", "safesql"].includes(style)) throw new UsageError(`--prompt-template takes STYLE=FILE with STYLE one of stdin, function, seccodeplt, safesql; got ${JSON.stringify(item)}`);
      templates[style] = resolve(item.slice(eq + 1));
    }
    raw.prompt_templates = templates;
  }
  if (opts.cache === false) raw.cache = false;
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
  const runsRoot = resolve(bench.RUNS_ROOT);
  let out: string;
  if (opts.out) out = resolve(opts.out);
  else if (opts.resume) {
    const latest = bench.latestRunDir(runsRoot, bench.STORE_FILE);
    if (!latest) {
      process.stderr.write(`securecoderl bench: --resume without --out continues the newest run under ${runsRoot}, and there is none\n`);
      return 2;
    }
    out = latest;
  } else {
    // A folder of its own for every run, so the same command run twice keeps both.
    const label = typeof built.raw.name === "string" ? built.raw.name : built.mini ? "mini" : "run";
    out = bench.newRunDir(runsRoot, label);
  }
  if (built.mini && !opts.resume && !opts.quiet) process.stderr.write(`No tasks or models given: running the bundled mini benchmark (${miniConfigPath()}).\n`);
  const progress = (await import("../bench/progress.js")).createProgress({ quiet: opts.quiet ?? false });
  const resumeHint = (extra = "") => `securecoderl bench --out ${relativeOut(out)} --resume${extra}`;
  // Ctrl-C: stop between samples and leave a resumable run; a second Ctrl-C quits at once.
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write(`\nstopping: finishing the samples in flight (Ctrl-C again to quit at once; the run resumes either way)\n`);
    abort.abort();
  };
  process.on("SIGINT", onSigint);
  let summary;
  try {
    summary = await bench.runBench(built.raw, {
      out,
      resume: opts.resume ?? false,
      force: opts.force ?? false,
      retryErrors: opts.retryErrors ?? false,
      ...(opts.jobs ? { jobs: Number(opts.jobs) } : {}),
      ...(built.verifier ? { verifier: built.verifier } : {}),
      progress,
      signal: abort.signal,
      log: (l) => {
        if (!opts.quiet) process.stderr.write(`${l}\n`);
      },
    });
  } catch (err) {
    if (err instanceof bench.RunInterrupted) {
      const c = err.counts;
      process.stderr.write(`interrupted: ${c.verified} of ${c.planned} samples verified and stored in ${out}\nresume with: ${resumeHint()}\n`);
      return 130;
    }
    if (err instanceof bench.RunDirError || err instanceof bench.ConfigError || (err instanceof Error && /^(invalid|unknown reward spec|cannot read tasks|unknown task file format|cannot tell which dataset|limit must be)/.test(err.message))) {
      process.stderr.write(`securecoderl bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (!opts.out) bench.markLatest(runsRoot, out);
  const { readFileSync } = await import("node:fs");
  const metrics = JSON.parse(readFileSync(summary.paths.metrics, "utf8")) as import("../bench/index.js").MetricsFile;
  const o = metrics.overall;
  const c = summary.counts;
  const generated = c.planned - c.unknown_task;
  process.stdout.write(
    [
      `samples ${o.samples} (errored ${o.errored})  compile ${pct(o.compile_rate)}  all pass ${pct(o.all_pass_rate)} (of compiling ${pct(o.all_pass_rate_of_compiling)})  security issue ${pct(o.security_issue_rate)}  mean reward ${o.mean_reward === null ? "-" : o.mean_reward.toFixed(3)}`,
      `generation: ${generated - c.generation_errors} of ${generated} generated (${c.cached} from the cache), ${c.generation_errors} failed${c.retries > 0 ? `, ${c.retries} request retries` : ""}`,
      `results: ${summary.paths.results}`,
      `metrics: ${summary.paths.metrics}`,
      `SARIF:   ${summary.paths.sarif}`,
      `report:  ${summary.paths.report}`,
      "",
    ].join("\n"),
  );
  if (c.generation_errors > 0 && !opts.quiet) {
    const top = c.error_messages.slice(0, 3).map((e) => `  ${e.count} x ${e.message.slice(0, 300)}`);
    process.stderr.write([`${c.generation_errors} sample(s) failed to generate:`, ...top, `after fixing the cause, generate them again with: ${resumeHint(" --retry-errors")}`, ""].join("\n"));
  }
  // Nothing generated at all (server down, wrong URL or model): the run measured nothing.
  if (generated > 0 && c.generation_errors === generated) {
    process.stderr.write(`securecoderl bench: every sample failed to generate; the run measured nothing\n`);
    return 1;
  }
  return 0;
}

/** The out folder as the user would type it: relative to the working folder when inside it. */
function relativeOut(out: string): string {
  const cwd = process.cwd();
  const rel = out.startsWith(`${cwd}/`) ? out.slice(cwd.length + 1) : out;
  return /^[\w./-]+$/.test(rel) ? rel : JSON.stringify(rel);
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
    .option("--model <name>", "OpenAI-compatible model name (with --base-url), a .gguf file for llama.cpp, or local:DIR (a `securecoderl train` checkpoint)")
    .option("--base-url <url>", "OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    .option("--api-key-env <var>", "environment variable holding the API key")
    .option("--reward <spec>", "reward spec: securecoderl, real, or a YAML/JSON file with a custom spec")
    .option("--n <n>", "samples per task (replay default: all samples in the file)")
    .option("--temperature <t>", "sampling temperature")
    .option("--top-p <p>", "nucleus sampling: keep the smallest set of tokens whose probability reaches p")
    .option("--seed <s>", "sampling seed")
    .option("--max-tokens <n>", "completion token limit")
    .addOption(new Option("--prompt-format <f>", "prompt format").choices(["chat", "completion"]))
    .option("--system-prompt <text>", "system message of chat prompts (\"\" sends none)")
    .option("--prompt-template <style=file>", "user-message template for a task style (stdin, function, seccodeplt, safesql), with {{prompt}}, {{starter_code}}, {{entry_point}}, {{task_id}}, {{cwe}}, {{default}} (repeatable)", collect)
    .option("--no-cache", "generate every sample anew: neither read nor fill the generation cache")
    .option("--jobs <n>", "sandbox workers (default: CPU cores)")
    .option("--timeout <s>", "per-test time limit in seconds")
    .option("--memory <mb>", "per-test memory limit in MB")
    .addOption(new Option("--judge <mode>", "output comparison").choices(["strict", "apps"]))
    .addOption(new Option("--severity <level>", "lowest finding severity counted by security_issue_rate").choices(["low", "medium", "high", "LOW", "MEDIUM", "HIGH"]))
    .option("--analyzers <list>", "analyzers to run: rules,vuln,types (default rules,vuln + what the reward counts)")
    .option("--pass-k <list>", "k values for pass@k (default 1,5,10)")
    .option("--name <name>", "run name shown in reports and compare")
    .option("--out <dir>", "run folder (default: a new folder ./securecoderl-out/NAME-ID for each run; ./securecoderl-out/latest links to the newest)")
    .option("--resume", "continue the run stored in --out (default: the newest run), after a crash, Ctrl-C or kill")
    .option("--retry-errors", "with --resume: generate again the samples whose generation failed")
    .option("--force", "delete an existing run in --out and start over")
    .option("--quiet", "no progress output")
    .option("--verifier <urls>", "verify on `securecoderl serve` replicas: URL[,URL...] or one load balancer (token from SECURECODERL_TOKEN)")
    .action(async (opts: BenchCliOptions) => {
      process.exitCode = await runBenchCommand(opts);
    });
}
