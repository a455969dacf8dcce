import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MINI_DIR, readResults, runCliAsync, tempDir } from "./helpers.js";

/** An OpenAI-compatible server over real HTTP: every chat request gets a correct sum program. */
function completionServer(port = 0): Promise<{ server: Server; port: number; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      requests++;
      const n = (JSON.parse(body) as { n?: number }).n ?? 1;
      const content = "```python\na, b = map(int, input().split())\nprint(a + b)\n```";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "x", object: "chat.completion", model: "tiny", choices: Array.from({ length: n }, (_, i) => ({ index: i, message: { role: "assistant", content }, finish_reason: "stop" })) }));
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port, requests: () => requests })));
}

describe("bench with the model server down, then --resume --retry-errors", () => {
  const root = tempDir();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("exits non-zero with a summary and the resume command, then completes every sample", async () => {
    // A port nobody listens on: take one from the OS, then close it.
    const probe = await completionServer();
    const port = probe.port;
    await new Promise((r) => probe.server.close(r));
    const config = join(root, "bench.json");
    writeFileSync(
      config,
      JSON.stringify({
        datasets: [{ path: join(MINI_DIR, "apps.jsonl"), kind: "apps", limit: 1 }],
        models: [{ name: "tiny", backend: "openai", base_url: `http://127.0.0.1:${port}/v1`, model: "tiny", max_retries: 1, timeout_ms: 5000 }],
        n: 2,
        cache: false,
        timeout_ms: 2000,
      }),
    );
    const out = join(root, "run");
    const down = await runCliAsync(["bench", "--config", config, "--out", out, "--jobs", "1"]).done;
    expect(down.status).toBe(1);
    expect(down.stdout).toMatch(/generation: 0 of 2 generated \(0 from the cache\), 2 failed, \d+ request retries/);
    expect(down.stderr).toMatch(/retry 1\/1 in/);
    expect(down.stderr).toMatch(/2 sample\(s\) failed to generate:\n\s+2 x network error/);
    expect(down.stderr).toContain(`--resume --retry-errors`);
    expect(down.stderr).toMatch(/every sample failed to generate/);
    expect(readResults(out).map((r) => r.status)).toEqual(["generation_error", "generation_error"]);

    // The server comes back on the same port.
    const server = await completionServer(port);
    try {
      const resumed = await runCliAsync(["bench", "--out", out, "--resume", "--retry-errors", "--jobs", "1"]).done;
      expect(resumed.stderr).toContain("retrying 2 sample(s) whose generation failed");
      expect(resumed.status).toBe(0);
      expect(resumed.stdout).toMatch(/generation: 2 of 2 generated \(0 from the cache\), 0 failed/);
      expect(server.requests()).toBeGreaterThan(0);
      const results = readResults(out);
      expect(results.map((r) => r.status)).toEqual(["ok", "ok"]);
      // The exact prompt sent is stored with each sample.
      expect(results[0]!.prompt).toEqual([expect.objectContaining({ role: "system" }), expect.objectContaining({ role: "user", content: expect.stringContaining("standard input") })]);
      expect(results.every((r) => r.compiled && r.total > 0 && r.reward !== null)).toBe(true);
    } finally {
      await new Promise((r) => server.server.close(r));
    }
  }, 300_000);

  it("sends the configured prompt template and system message, stores them, and counts cache hits", async () => {
    const server = await completionServer();
    try {
      const template = join(root, "stdin.txt");
      writeFileSync(template, "Task {{task_id}}:\n{{prompt}}\nAnswer in Python.");
      const env = { ...process.env, SECURECODERL_CACHE_DIR: join(root, "cache") };
      const args = ["bench", "--tasks", join(MINI_DIR, "apps.jsonl"), "--dataset", "apps", "--limit", "1", "--model", "tiny", "--base-url", `http://127.0.0.1:${server.port}/v1`, "--n", "2", "--system-prompt", "Be brief.", "--prompt-template", `stdin=${template}`, "--jobs", "1", "--quiet"];
      const first = await runCliAsync([...args, "--out", join(root, "p1")], { env }).done;
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/2 of 2 generated \(0 from the cache\)/);
      const r = readResults(join(root, "p1"))[0]!;
      expect(r.prompt[0]).toEqual({ role: "system", content: "Be brief." });
      expect(r.prompt[1].content).toMatch(new RegExp(`^Task ${r.task_id}:\n[\\s\\S]+\nAnswer in Python\\.$`));
      const s = JSON.parse(readFileSync(join(root, "p1", "metrics.json"), "utf8")).run.settings;
      expect(s.system_prompt).toBe("Be brief.");
      expect(s.prompt_templates.stdin).toMatchObject({ path: template, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const requestsBefore = server.requests();
      const second = await runCliAsync([...args, "--out", join(root, "p2")], { env }).done;
      expect(second.stdout).toMatch(/2 of 2 generated \(2 from the cache\)/);
      expect(server.requests()).toBe(requestsBefore);
      expect(readResults(join(root, "p2")).map((x) => x.cached)).toEqual([true, true]);
      const third = await runCliAsync([...args, "--out", join(root, "p3"), "--no-cache"], { env }).done;
      expect(third.stdout).toMatch(/2 of 2 generated \(0 from the cache\)/);
      expect(server.requests()).toBeGreaterThan(requestsBefore);
    } finally {
      await new Promise((r) => server.server.close(r));
    }
  }, 300_000);
});
