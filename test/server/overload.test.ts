import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MINI_DIR } from "../bench/helpers.js";
import { postJson, startServe, type Served } from "./helpers.js";

/**
 * Admission control under a burst ten times the queue: the overflow is refused at the door (503
 * with Retry-After on our API, 504 on /run_code, which verl retries), the service stays up, and
 * every request it accepted is answered with a real result. Behaviour only: no timing is asserted.
 */

const QUEUE = 4;
const running: Served[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

// Every test of mini-sum runs into the time limit: each sample holds a slot for seconds.
const slow = (i: number) => `# sample ${i}\nwhile True:\n    pass`;

describe("overload", () => {
  it("a burst 10x the queue on /v1/rewards: 503 + Retry-After for the overflow, every accepted request answered", async () => {
    const s = await startServe(["--workers", "1", "--jobs", "1", "--queue", String(QUEUE), "--timeout", "1", "--tasks", join(MINI_DIR, "apps.jsonl")]);
    running.push(s);
    const burst = await Promise.all(Array.from({ length: QUEUE * 10 }, (_, i) => postJson(`${s.url}/v1/rewards`, { items: [{ label: "mini-sum", completion: slow(i) }] })));
    const accepted = burst.filter((r) => r.status === 200);
    const refused = burst.filter((r) => r.status === 503);
    expect(accepted.length + refused.length).toBe(burst.length);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.headers.get("retry-after")).toBe("1");
      expect(r.body.error.code).toBe("queue_full");
    }
    for (const r of accepted) expect(r.body.results[0]).toMatchObject({ status: "ok", compiled: true, passed: 0, total: 4, error: null });
    // Still up, and serving normally once the burst is over.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const after = await postJson(`${s.url}/v1/rewards`, { items: [{ label: "mini-sum", completion: "n = int(input())\nprint(sum(map(int, input().split())))" }] });
    expect(after.body.results[0].reward).toBe(1);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`securecoderl_rejected_total\\{route="/v1/rewards",reason="queue_full"\\} ${refused.length}\\b`));
  }, 600_000);

  it("a burst on /run_code: 504 for the overflow (verl retries 504), accepted runs answered", async () => {
    const s = await startServe(["--workers", "1", "--jobs", "1", "--queue", String(QUEUE)]);
    running.push(s);
    const body = (i: number) => ({ compile_timeout: 10, run_timeout: 1, code: slow(i), stdin: "", memory_limit_MB: 1024, language: "python", files: {}, fetch_files: [] });
    const burst = await Promise.all(Array.from({ length: QUEUE * 10 }, (_, i) => postJson(`${s.url}/run_code`, body(i))));
    const accepted = burst.filter((r) => r.status === 200);
    const refused = burst.filter((r) => r.status === 504);
    expect(accepted.length + refused.length).toBe(burst.length);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of accepted) expect(r.body).toMatchObject({ status: "Failed", run_result: { status: "TimeLimitExceeded", return_code: null } });
    for (const r of refused) expect(r.headers.get("retry-after")).toBe("1");
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  }, 600_000);

  it("a request not answered by its deadline gets 503 deadline_exceeded; what was running still lands in the cache", async () => {
    // One worker (jobs 1): samples run one at a time, so the third request waits behind two samples of several seconds each.
    const s = await startServe(["--workers", "1", "--jobs", "1", "--deadline", "2", "--timeout", "1", "--tasks", join(MINI_DIR, "apps.jsonl")]);
    running.push(s);
    const answers = await Promise.all([0, 1, 2].map((i) => postJson(`${s.url}/v1/rewards`, { items: [{ label: "mini-sum", completion: slow(100 + i) }] })));
    const late = answers.filter((a) => a.status === 503);
    expect(late.length).toBeGreaterThan(0);
    for (const a of late) expect(a.body.error.code).toBe("deadline_exceeded");
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // The first sample had started: a retry (as every engine makes) joins it or finds it cached.
    let retry = await postJson(`${s.url}/v1/rewards`, { items: [{ label: "mini-sum", completion: slow(100) }] });
    for (let i = 0; i < 60 && retry.status === 503; i++) retry = await postJson(`${s.url}/v1/rewards`, { items: [{ label: "mini-sum", completion: slow(100) }] });
    expect(retry.status).toBe(200);
    expect(retry.body.results[0]).toMatchObject({ cached: true, passed: 0, total: 4 });
  }, 300_000);
});
