import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getSpec } from "../../src/reward/index.js";
import { loadTasks } from "../../src/task/index.js";
import { RemoteVerifier, Verifier } from "../../src/verify/index.js";
import { MINI_DIR } from "../bench/helpers.js";
import { startServe, type Served } from "../server/helpers.js";

/**
 * RemoteVerifier against real replicas: samples spread over the URLs it is given, a dead URL and
 * one that answers 503 are skipped for the live one, and every result equals the in-process
 * Verifier's, field for field (timings aside).
 */

const running: Served[] = [];
const fakes: Server[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  for (const f of fakes) f.close();
});

function overloaded(): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(503, { "retry-after": "1", "content-type": "application/json" });
    res.end('{"error":{"code":"queue_full","message":"full"}}');
  });
  fakes.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const strip = ({ timings: _t, tests, ...rest }: Record<string, any>) => ({ ...rest, tests: tests.map(({ time_ms: _m, ...t }: Record<string, unknown>) => t) });

describe("RemoteVerifier", () => {
  it("spreads samples over replicas, skips dead and overloaded ones, and matches the in-process Verifier", async () => {
    const tasks = [...(await loadTasks(join(MINI_DIR, "apps.jsonl"))).tasks, ...(await loadTasks(join(MINI_DIR, "seccodeplt.json"))).tasks];
    const completions = ["```python\nn = int(input())\nprint(sum(map(int, input().split())))\n```", "print(input())", "", "def f(:\n    pass", "import os\nos.system(input())"];
    const work = tasks.flatMap((task) => completions.map((c) => ({ task, completion: c })));
    const spec = getSpec("real");
    const local = new Verifier({ spec, jobs: 2, limits: { timeoutMs: 1500 } });
    const expected = await Promise.all(work.map((w, i) => local.verify(w.task, w.completion, { sampleIndex: i })));
    await local.close();

    const replica = await startServe(["--workers", "1", "--jobs", "2", "--timeout", "1.5"]);
    running.push(replica);
    const logs: string[] = [];
    // Nothing listens on port 1; the fake answers 503 to everything.
    const remote = new RemoteVerifier(["http://127.0.0.1:1", await overloaded(), replica.url], spec, { limits: { timeoutMs: 1500 }, batchSize: 4, log: (l) => logs.push(l) });
    const got = await Promise.all(work.map((w, i) => remote.verify(w.task, w.completion, { sampleIndex: i })));
    await remote.close();
    expect(got.map(strip)).toEqual(expected.map(strip));
    expect(logs.some((l) => l.includes("127.0.0.1:1") && l.includes("connection failed"))).toBe(true);
    expect(logs.some((l) => l.includes("answered 503"))).toBe(true);
  }, 300_000);

  it("fails a sample with a clear error when no replica can take it, and refuses a spec the service computes differently", async () => {
    const task = (await loadTasks(join(MINI_DIR, "apps.jsonl"))).tasks[0]!;
    const none = new RemoteVerifier("http://127.0.0.1:1", "real", { maxAttempts: 2 });
    await expect(none.verify(task, "print(1)")).rejects.toThrow(/no verifier replica could judge this sample after 2 tries/);
    await none.close();
    expect(() => new RemoteVerifier("ftp://x", "real")).toThrow(/not an http/);
    const other = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ spec: { name: "real", hash: "0000000000000000" }, server: { version: "0" }, results: [] }));
    });
    fakes.push(other);
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
    const skewed = new RemoteVerifier(`http://127.0.0.1:${(other.address() as AddressInfo).port}`, "real");
    await expect(skewed.verify(task, "print(1)")).rejects.toThrow(/another version of the spec/);
    await skewed.close();
  }, 60_000);

  it("takes the base URL or the /v1/rewards endpoint users copy from docs/serving.md, and refuses any other path", async () => {
    const task = (await loadTasks(join(MINI_DIR, "apps.jsonl"))).tasks[0]!;
    const replica = await startServe(["--workers", "1", "--jobs", "1", "--timeout", "1.5"]);
    running.push(replica);
    const forms = [replica.url, `${replica.url}/`, `${replica.url}/v1/rewards`, `${replica.url}/v1/rewards/`];
    for (const url of forms) {
      const remote = new RemoteVerifier(url, "real", { maxAttempts: 1 });
      expect(remote.urls).toEqual([replica.url]);
      const r = await remote.verify(task, "```python\nn = int(input())\nprint(sum(map(int, input().split())))\n```");
      await remote.close();
      expect(r.reward?.value, url).toBe(1);
    }
    // A proxy mounting the service under a path: the prefix before /v1/rewards is kept.
    expect(new RemoteVerifier("http://lb:8000/scrl/v1/rewards", "real").urls).toEqual(["http://lb:8000/scrl"]);
    for (const bad of [`${replica.url}/v1/reward`, `${replica.url}/get_reward`, `${replica.url}/v1/rewards?x=1`]) {
      expect(() => new RemoteVerifier(bad, "real"), bad).toThrow(/expected http:\/\/HOST:PORT or http:\/\/HOST:PORT\/v1\/rewards/);
    }
    expect(() => new RemoteVerifier(`${replica.url}/get_reward`, "real")).toThrow(/neither the service's root nor its \/v1\/rewards endpoint/);
  }, 120_000);
});
