import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers.js";
import { CLI, tempDir } from "../bench/helpers.js";

export const PYTHON = "/usr/bin/python3";
export const CLIENTS_DIR = join(REPO_ROOT, "python", "clients");

export interface Served {
  url: string;
  child: ChildProcess;
  log: () => string;
  /** Resolves with the exit code once the service has stopped. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A real `securecoderl serve` on a free loopback port, ready (url file written) before this resolves. */
export async function startServe(args: string[], opts: { env?: NodeJS.ProcessEnv; readyTimeoutMs?: number } = {}): Promise<Served> {
  const dir = tempDir("scrl-serve-");
  const urlFile = join(dir, "url");
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--url-file", urlFile, ...args], { cwd: REPO_ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (!existsSync(urlFile) || readFileSync(urlFile, "utf8").trim() === "") {
    if (gone) throw new Error(`serve exited before it was ready:\n${log}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`serve was not ready in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = readFileSync(urlFile, "utf8").trim();
  return {
    url,
    child,
    log: () => log,
    exited,
    async stop(signal = "SIGTERM") {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Runs a Python script with the system interpreter (never a version-manager shim), JSON on stdout. */
export function runPython(script: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string; json: () => any } {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", env: { ...process.env, PYTHONPATH: CLIENTS_DIR, ...env }, maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}
