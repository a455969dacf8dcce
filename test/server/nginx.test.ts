import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MINI_DIR, readResults, runCliAsync, tempDir, withoutTimings } from "../bench/helpers.js";
import { startServe, type Served } from "./helpers.js";

/**
 * Scale-out for real: two `securecoderl serve` replicas behind Debian's nginx on loopback; a
 * benchmark verifies through the balancer (`bench --verifier`), one replica is killed mid-run,
 * and every result must arrive exactly once and equal the in-process run's. `.ci/run` installs
 * nginx; without it the test is skipped with a visible message.
 */

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));
if (!NGINX) process.stderr.write("SKIP: nginx not installed (apt-get install nginx); the load-balancer test is skipped\n");

const root = tempDir("scrl-nginx-");
const replicas: Served[] = [];
let nginx: ChildProcess | undefined;

afterAll(async () => {
  nginx?.kill("SIGTERM");
  await Promise.all(replicas.map((r) => r.stop()));
  rmSync(root, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function nginxConf(dir: string, port: number, upstreams: string[]): string {
  return `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream securecoderl {
    least_conn;
${upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=30s;`).join("\n")}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 64m;
    location / {
      proxy_pass http://securecoderl;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 600s;
      # Verification is a pure function: a request a dead replica dropped may go to another.
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    }
  }
}
`;
}

async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function samplesTotal(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /securecoderl_samples_total\{route="\/v1\/rewards"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

describe.skipIf(!NGINX)("two replicas behind nginx", () => {
  it("a benchmark through the balancer survives a replica killed mid-run: every result once, equal to in-process", async () => {
    const started = Date.now();
    // Every mini sample twice (other sample indices), so the run outlasts the kill.
    const samples = join(root, "samples.jsonl");
    const lines = readFileSync(join(MINI_DIR, "samples.jsonl"), "utf8").split("\n").filter(Boolean);
    writeFileSync(samples, [0, 1].flatMap(() => lines).join("\n") + "\n");
    const config = join(root, "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        name: "nginx",
        datasets: [{ path: join(MINI_DIR, "apps.jsonl") }, { path: join(MINI_DIR, "seccodeplt.json") }, { path: join(MINI_DIR, "safesql.jsonl") }],
        models: [{ name: "replay", backend: "replay", samples }],
        reward: "real",
        timeout_ms: 1000,
        jobs: 2,
      }),
    );
    // The in-process run, and the replicas, start side by side.
    const local = runCliAsync(["bench", "--config", config, "--out", join(root, "local"), "--quiet"]).done;
    for (let i = 0; i < 2; i++) replicas.push(await startServe(["--workers", "1", "--jobs", "1", "--cache", "0"]));
    const port = await freePort();
    const dir = join(root, "nginx");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "nginx.conf"), nginxConf(dir, port, replicas.map((r) => r.url.replace("http://", ""))));
    nginx = spawn(NGINX!, ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], { stdio: "ignore" });
    const balancer = `http://127.0.0.1:${port}`;
    await waitFor(`${balancer}/healthz`);

    const remote = runCliAsync(["bench", "--config", config, "--verifier", balancer, "--out", join(root, "remote")]);
    let finished = false;
    void remote.done.then(() => (finished = true));
    // Kill the first replica as soon as it has answered samples, with more of the run still to go.
    while ((await samplesTotal(replicas[0]!.url)) === 0 && !finished) await new Promise((r) => setTimeout(r, 50));
    expect(finished, "the run ended before a replica could be killed").toBe(false);
    replicas[0]!.child.kill("SIGKILL");
    const r = await remote.done;
    expect(r.status, r.stderr).toBe(0);
    const l = await local;
    expect(l.status, l.stderr).toBe(0);

    const key = (x: Record<string, any>) => `${x.model}\u0000${x.dataset}\u0000${x.task_id}\u0000${x.sample_index}`;
    const mine = readResults(join(root, "remote"));
    const theirs = readResults(join(root, "local"));
    expect(new Set(mine.map(key)).size).toBe(mine.length); // each result exactly once
    expect(mine.length).toBe(theirs.length);
    expect(mine.length).toBe(lines.length * 2);
    const byKey = new Map(theirs.map((x) => [key(x), withoutTimings(x)]));
    for (const x of mine) expect(withoutTimings(x), key(x)).toEqual(byKey.get(key(x)));
    // The survivor did the rest of the work.
    expect(await samplesTotal(replicas[1]!.url)).toBeGreaterThan(0);
    process.stderr.write(`nginx scale-out test: ${((Date.now() - started) / 1000).toFixed(1)} s, ${mine.length} samples\n`);
  }, 900_000);
});
