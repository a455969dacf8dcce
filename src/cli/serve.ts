import type { Command } from "commander";
import { Option } from "commander";
// Constants only: the server itself loads inside the action, so `--help` stays instant.
import { SERVE_DEFAULTS as D } from "../server/options.js";

interface ServeCliOptions {
  host: string;
  port: string;
  tasks?: string[];
  spec: string;
  judge: "strict" | "apps";
  workers?: string;
  jobs?: string;
  tokenFile?: string;
  queue: string;
  deadline: string;
  maxBody: string;
  cache: string;
  timeout: string;
  memory: string;
  maxTimeout: string;
  maxMemory: string;
  analyzers?: string;
  urlFile?: string;
}

class UsageError extends Error {}

function number(value: string, flag: string, opts: { min?: number; integer?: boolean } = {}): number {
  const n = Number(value);
  const min = opts.min ?? 1;
  if (!Number.isFinite(n) || n < min || (opts.integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${opts.integer ? "a whole number" : "a number"} >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

async function buildOptions(cli: ServeCliOptions) {
  const { availableParallelism } = await import("node:os");
  const { existsSync, readFileSync } = await import("node:fs");
  const cores = availableParallelism();
  const workers = cli.workers !== undefined ? number(cli.workers, "--workers", { integer: true }) : cores;
  // Sandbox workers per process, so that all processes together run about one program per core.
  const jobs = cli.jobs !== undefined ? number(cli.jobs, "--jobs", { integer: true }) : Math.max(1, Math.ceil(cores / workers));
  const tasks = cli.tasks ?? [];
  for (const t of tasks) if (!existsSync(t)) throw new UsageError(`--tasks ${t}: no such file or directory`);
  let token: string | undefined;
  if (cli.tokenFile !== undefined) {
    try {
      token = readFileSync(cli.tokenFile, "utf8").trim();
    } catch (err) {
      throw new UsageError(`--token-file ${cli.tokenFile}: ${(err as Error).message}`);
    }
    if (token === "") throw new UsageError(`--token-file ${cli.tokenFile} is empty`);
  }
  const { loadRewardSpec } = await import("../reward/index.js");
  const { SAMPLES_IN_FLIGHT_PER_WORKER } = await import("../verify/index.js");
  let spec;
  try {
    spec = await loadRewardSpec(cli.spec);
  } catch (err) {
    throw new UsageError(`--spec: ${(err as Error).message}`);
  }
  const analyzers = cli.analyzers?.split(",").map((a) => a.trim()).filter(Boolean);
  const bad = analyzers?.filter((a) => !["rules", "vuln", "types"].includes(a)) ?? [];
  if (bad.length > 0) throw new UsageError(`--analyzers: unknown analyzer(s) ${bad.join(", ")}; choose from rules, vuln, types`);
  const port = number(cli.port, "--port", { min: 0, integer: true });
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const opts = {
    host: cli.host,
    port,
    tasks,
    spec,
    judge: cli.judge,
    ...(analyzers ? { analyzers: analyzers as ("rules" | "vuln" | "types")[] } : {}),
    jobs,
    // As verify and bench feed the Verifier: enough samples that a sandbox worker finishing a job
    // finds the next one queued instead of waiting on samples between jobs.
    concurrency: jobs * SAMPLES_IN_FLIGHT_PER_WORKER,
    queue: number(cli.queue, "--queue", { integer: true }),
    deadlineMs: Math.round(number(cli.deadline, "--deadline") * 1000),
    maxBodyBytes: Math.round(number(cli.maxBody, "--max-body") * 1024 * 1024),
    cacheEntries: number(cli.cache, "--cache", { min: 0, integer: true }),
    timeoutMs: Math.round(number(cli.timeout, "--timeout") * 1000),
    memoryMb: number(cli.memory, "--memory", { integer: true }),
    maxTimeoutMs: Math.round(number(cli.maxTimeout, "--max-timeout") * 1000),
    maxMemoryMb: number(cli.maxMemory, "--max-memory", { integer: true }),
    ...(token !== undefined ? { token } : {}),
  };
  if (opts.timeoutMs > opts.maxTimeoutMs) throw new UsageError("--timeout must not be over --max-timeout");
  if (opts.memoryMb > opts.maxMemoryMb) throw new UsageError("--memory must not be over --max-memory");
  return { opts, workers };
}

export function registerServe(program: Command): void {
  const d = {
    queue: String(D.queue),
    deadline: String(D.deadlineMs / 1000),
    maxBody: String(D.maxBodyBytes / 1024 / 1024),
    cache: String(D.cacheEntries),
    timeout: String(D.timeoutMs / 1000),
    memory: String(D.memoryMb),
    maxTimeout: String(D.maxTimeoutMs / 1000),
    maxMemory: String(D.maxMemoryMb),
  };
  program
    .command("serve")
    .description("Serve the reward over HTTP to RL engines: our batch API (/v1/rewards), OpenRLHF (/get_reward), SandboxFusion (/run_code)")
    .option("--host <addr>", "address to bind (0.0.0.0 to accept other machines; then set --token-file)", D.host)
    .option("--port <n>", "port (0: any free port; see --url-file)", String(D.port))
    .option("--tasks <path...>", "task stores for references, loaded read-only at start (any format `verify --tasks` reads; repeatable)")
    .option("--spec <spec>", "default reward spec: real, securecoderl, or a YAML/JSON spec file", "real")
    .addOption(new Option("--judge <mode>", "output comparison").choices(["strict", "apps"]).default("strict"))
    .option("--workers <n>", "server processes (default: CPU cores); each has its own sandbox pool, queue and cache")
    .option("--jobs <n>", "sandbox workers per process (default: cores / workers, at least 1)")
    .option("--token-file <file>", "require `Authorization: Bearer <the file's content>` (all but /healthz, /readyz)")
    .option("--queue <n>", "samples that may wait per process; beyond it requests get 503 (504 on /run_code)", d.queue)
    .option("--deadline <s>", "seconds a request may take before it is answered 503 (504 on /run_code)", d.deadline)
    .option("--max-body <mb>", "largest request body in MiB (413 beyond)", d.maxBody)
    .option("--cache <n>", "results kept per process for repeated samples (0: none)", d.cache)
    .option("--timeout <s>", "per-test time limit when a request names none", d.timeout)
    .option("--memory <mb>", "per-test memory limit when a request names none", d.memory)
    .option("--max-timeout <s>", "the largest per-test time limit a request may ask for", d.maxTimeout)
    .option("--max-memory <mb>", "the largest memory limit a request may ask for", d.maxMemory)
    .option("--analyzers <list>", "analyzers to run: rules,vuln,types (default rules,vuln; the spec's own always run)")
    .option("--url-file <file>", "write the service's base URL here once it is ready (what the Python clients read when SECURECODERL_URL is unset)")
    .action(async (cli: ServeCliOptions) => {
      let built;
      try {
        built = await buildOptions(cli);
      } catch (err) {
        if (err instanceof UsageError) {
          process.stderr.write(`securecoderl serve: ${err.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
      const { runServe } = await import("../server/index.js");
      try {
        process.exitCode = await runServe(built.opts, { workers: built.workers, ...(cli.urlFile ? { urlFile: cli.urlFile } : {}) });
      } catch (err) {
        process.stderr.write(`securecoderl serve: ${(err as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
