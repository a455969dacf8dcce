import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTasks, type Task } from "../../src/task/index.js";
import { stringifyWireJson } from "../../src/verify/index.js";
import { MINI_DIR, runCliAsync, tempDir } from "../bench/helpers.js";
import { postJson, startServe, type Served } from "./helpers.js";

/**
 * `securecoderl serve` as a user meets it: the real CLI on a loopback port, real requests. The
 * API's shapes and errors, task references in every form, exact big integers, the bearer token,
 * metrics, and a graceful SIGTERM with a request in flight.
 */

const root = tempDir("scrl-serve-test-");
const tokenFile = join(root, "token");
writeFileSync(tokenFile, "s3cret-token\n");
const APPS = join(MINI_DIR, "apps.jsonl");
const SEC = join(MINI_DIR, "seccodeplt.json");
const auth = { authorization: "Bearer s3cret-token" };
let served: Served;
let sum: Task;

const CORRECT_SUM = "```python\nn = int(input())\nprint(sum(map(int, input().split())))\n```";

beforeAll(async () => {
  sum = (await loadTasks(APPS)).tasks.find((t) => t.id === "mini-sum")!;
  served = await startServe(["--workers", "2", "--jobs", "1", "--timeout", "1.5", "--tasks", APPS, SEC, "--token-file", tokenFile, "--max-body", "1"]);
}, 180_000);

afterAll(async () => {
  await served?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("securecoderl serve", () => {
  it("binds to loopback, answers /healthz without a token, and /readyz with the task stores' hash", async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${served.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = (await (await fetch(`${served.url}/readyz`)).json()) as { ready: boolean; tasks: { hash: string; count: number; stores: { dataset: string; tasks: number }[] } };
    expect(ready.ready).toBe(true);
    expect(ready.tasks.count).toBe(7);
    expect(ready.tasks.stores.map((s) => [s.dataset, s.tasks])).toEqual([["apps", 4], ["seccodeplt", 3]]);
    expect(ready.tasks.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("refuses requests without the bearer token (401) and accepts them with it", async () => {
    const body = { items: [{ ref: { dataset: "apps", task_id: "mini-sum" }, completion: CORRECT_SUM }] };
    expect((await postJson(`${served.url}/v1/rewards`, body)).status).toBe(401);
    expect((await postJson(`${served.url}/v1/rewards`, body, { authorization: "Bearer wrong" })).status).toBe(401);
    const ok = await postJson(`${served.url}/v1/rewards`, body, auth);
    expect(ok.status).toBe(200);
    expect(ok.body.spec).toEqual({ name: "real", hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(ok.body.results[0]).toMatchObject({ id: 0, task_id: "mini-sum", reward: 1, compiled: true, passed: 4, total: 4, error: null });
  });

  it("resolves a task given in each of the four label forms, and as a Task object or reference", async () => {
    const forms = [
      { label: "mini-sum" },
      { label: { dataset: "apps", task_id: "mini-sum" } },
      { label: JSON.stringify({ dataset: "apps", task_id: "mini-sum" }) },
      { label: sum },
      { label: stringifyWireJson(sum) },
      { task: sum },
      { task: stringifyWireJson(sum) },
      { ref: { task_id: "mini-sum" } },
    ];
    const r = await postJson(`${served.url}/v1/rewards`, { items: forms.map((f, i) => ({ id: `f${i}`, ...f, completion: CORRECT_SUM })) }, auth);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { id: string; reward: number }) => [x.id, x.reward])).toEqual(forms.map((_, i) => [`f${i}`, 1]));
  });

  it("gives a sample it cannot judge a result with an error, never an HTTP error for the batch", async () => {
    const r = await postJson(
      `${served.url}/v1/rewards`,
      {
        items: [
          { ref: { dataset: "apps", task_id: "ghost" }, completion: "print(1)" },
          { ref: { dataset: "nonesuch", task_id: "mini-sum" }, completion: "print(1)" },
          { task: { id: "x", kind: "apps-stdin" }, completion: "print(1)" },
          { label: "mini-sum", completion: "" },
          { label: "mini-sum", completion: "```python\nprint(1)\u0000\n```" },
          { label: "mini-sum", completion: CORRECT_SUM },
        ],
      },
      auth,
    );
    expect(r.status).toBe(200);
    const [ghost, dataset, badTask, empty, nul, good] = r.body.results;
    expect(ghost).toMatchObject({ status: "unknown_task", reward: null, error: expect.stringContaining("no such id") });
    expect(dataset).toMatchObject({ status: "unknown_task", reward: null, error: expect.stringContaining("unknown dataset 'nonesuch'") });
    expect(badTask).toMatchObject({ status: "unknown_task", reward: null, error: expect.stringContaining("invalid task object") });
    expect(empty).toMatchObject({ status: "ok", reward: -1, error: "empty completion", parts: { no_code: 1 } });
    expect(nul).toMatchObject({ status: "ok", reward: -0.5, compiled: false, error: "completion contains a NUL byte" });
    expect(good).toMatchObject({ reward: 1 });
  });

  it("keeps integers beyond 2^53 exact in a Task sent over the wire", async () => {
    const big = "123456789012345678901234567890";
    // A call task whose expected value is a big integer: a double would round it and fail a correct program.
    const body = `{"items": [{"task": {"id": "big", "kind": "apps-call", "source": "apps", "prompt": "", "entryPoint": "f", "tests": [{"type": "call", "args": [${big}], "expected": ${big}1}]}, "completion": "def f(x):\\n    return x * 10 + 1"}]}`;
    const r = await postJson(`${served.url}/v1/rewards`, body, auth);
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ passed: 1, total: 1 });
  });

  it("answers malformed requests with a clear JSON error and the right status", async () => {
    const bad = async (path: string, body: string, method = "POST") => {
      const res = await fetch(`${served.url}${path}`, { method, headers: { "content-type": "application/json", ...auth }, ...(method === "POST" ? { body } : {}) });
      return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
    };
    expect(await bad("/v1/rewards", "{not json")).toMatchObject({ status: 400, body: { error: { code: "bad_json" } } });
    expect(await bad("/v1/rewards", "")).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect(await bad("/v1/rewards", '{"items": []}')).toMatchObject({ status: 400, body: { error: { code: "invalid_request", message: expect.stringContaining("items") } } });
    expect(await bad("/v1/rewards", '{"items": [{"completion": "x"}]}')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('exactly one of "task", "ref" or "label"') } } });
    expect(await bad("/v1/rewards", '{"spec": "nonesuch", "items": [{"label": "mini-sum", "completion": "x"}]}')).toMatchObject({ status: 400, body: { error: { code: "invalid_spec" } } });
    expect(await bad("/v1/rewards", '{"limits": {"timeout_ms": 999999}, "items": [{"label": "mini-sum", "completion": "x"}]}')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("--max-timeout") } } });
    expect(await bad("/v1/rewards", "", "GET")).toMatchObject({ status: 405 });
    expect(await bad("/nope", "{}")).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect(await bad("/get_reward", '{"query": ["a", "b"], "labels": ["mini-sum"]}')).toMatchObject({ status: 400 });
    expect(await bad("/get_reward", '{"query": ["a"], "prompts": [""], "labels": ["ghost"]}')).toMatchObject({ status: 422, body: { error: { code: "unknown_task", message: expect.stringContaining("labels[0]") } } });
    expect(await bad("/run_code", '{"code": "print(1)", "language": "cpp"}')).toMatchObject({ status: 400, body: { error: { code: "unsupported_language" } } });
    expect(await bad("/run_code", '{"code": "print(1)", "language": "python", "files": {"../x": ""}}')).toMatchObject({ status: 400 });
    // Over --max-body (1 MiB): refused before it is read whole.
    const huge = JSON.stringify({ items: [{ label: "mini-sum", completion: "x".repeat(2 * 1024 * 1024) }] });
    expect(await bad("/v1/rewards", huge)).toMatchObject({ status: 413, body: { error: { code: "body_too_large" } } });
    // The service is still fine.
    expect((await postJson(`${served.url}/v1/rewards`, { items: [{ label: "mini-sum", completion: CORRECT_SUM }] }, auth)).body.results[0].reward).toBe(1);
  });

  it("OpenRLHF /get_reward strips the prompt and trailing special tokens, one sample or a batch", async () => {
    const prompt = "<|im_start|>user\nAdd them.<|im_end|>\n<|im_start|>assistant\n";
    const single = await postJson(`${served.url}/get_reward`, { query: `${prompt}${CORRECT_SUM}<|im_end|>`, prompts: prompt, labels: "mini-sum" }, auth);
    expect(single.status).toBe(200);
    expect(single.body).toMatchObject({ rewards: [1], scores: [1] });
    const batch = await postJson(`${served.url}/get_reward`, { query: [`${prompt}${CORRECT_SUM}<|im_end|>`, `${prompt}I won't.<|im_end|>`], prompts: [prompt, prompt], labels: ["mini-sum", { dataset: "apps", task_id: "mini-sum" }] }, auth);
    expect(batch.body.rewards).toEqual([1, -1]);
    expect(batch.body.scores).toEqual([1, 0]);
    expect(Object.keys(batch.body.extra_logs).sort()).toEqual(["cached", "compiled", "findings", "function", "judge_error", "no_code", "passed_all", "quality"]);
    expect(batch.body.extra_logs.no_code).toEqual([0, 1]);
  });

  it("serves Prometheus metrics (added up over the worker processes)", async () => {
    const text = await (await fetch(`${served.url}/metrics`, { headers: auth })).text();
    for (const name of ["securecoderl_http_requests_total", "securecoderl_samples_total", "securecoderl_http_request_duration_seconds_bucket", "securecoderl_queue_depth", "securecoderl_sample_outcomes_total", "securecoderl_sandbox_errors_total", "securecoderl_rejected_total"]) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(/securecoderl_sample_outcomes_total\{outcome="passed_all"\} [1-9]/);
    expect(text).toMatch(/securecoderl_rejected_total\{route="\/v1\/rewards",reason="unauthorized"\} [1-9]/);
    expect((await fetch(`${served.url}/metrics`)).status).toBe(401);
  });

  it("answers the same question from its cache (GRPO duplicates), with the same result", async () => {
    // A program no other test sends (the cache is keyed by the extracted program).
    const item = { label: "mini-sum", completion: "Sure:\n```python\ncount = int(input())\nprint(sum(map(int, input().split())))\n```" };
    const first = await postJson(`${served.url}/v1/rewards`, { items: [item, item, item] }, auth);
    const strip = (r: Record<string, unknown>) => ({ ...r, cached: undefined, timings: undefined, id: undefined });
    const [a, b, c] = first.body.results;
    expect(strip(b)).toEqual(strip(a));
    expect(strip(c)).toEqual(strip(a));
    expect([a.cached, b.cached, c.cached]).toEqual([false, true, true]);
  });
});

describe("serve shuts down gracefully", () => {
  it("on SIGTERM answers the request in flight, then exits 0; refuses bad options with exit 2", async () => {
    const one = await startServe(["--workers", "1", "--jobs", "1", "--timeout", "2", "--tasks", APPS]);
    // A sample that takes a while: every test of mini-sum runs into the 2 s limit.
    const pending = postJson(`${one.url}/v1/rewards`, { items: [{ label: "mini-sum", completion: "while True:\n    pass" }] });
    await new Promise((r) => setTimeout(r, 500));
    const code = one.stop("SIGTERM");
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.body.results[0]).toMatchObject({ compiled: true, passed: 0 });
    expect(await code).toBe(0);
    expect(one.log()).toContain("draining");
    // New connections are refused once it has stopped.
    await expect(fetch(`${one.url}/healthz`)).rejects.toThrow();

    const bad = await runCliAsync(["serve", "--tasks", join(root, "nope.jsonl")]).done;
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("no such file");
    const spec = await runCliAsync(["serve", "--spec", "nonesuch"]).done;
    expect(spec.status).toBe(2);
  }, 120_000);
});
