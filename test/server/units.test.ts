import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Admission, DeadlineExceeded, responseOf, TaskStores, toRunCodeResponse } from "../../src/server/index.js";
import { parseJsonExact } from "../../src/task/fields.js";
import { canonicalJson, parseWireJson, stringifyWireJson } from "../../src/verify/index.js";
import { MINI_DIR } from "../bench/helpers.js";

/** The service's tricky inner parts, one at a time. */

describe("parseWireJson: exact integers at JSON.parse speed", () => {
  const tricky = [
    '{"a":[73567465519280238573,1,-2.5,1e3,"9007199254740993",-99999999999999999999,1234567890123456,12345678901234567.5,1.5e30,1e-12345678901234567,0.12345678901234567890]}',
    '"\\"12345678901234567890"',
    '{"x":"a\\\\","y":12345678901234567890,"z":"12345678901234567890"}',
    "[9007199254740993, -9007199254740993, 9007199254740991]",
    "[]",
  ];
  it("agrees with the task loaders' lossless parser on every kind of number", () => {
    const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `big:${x}` : x));
    for (const text of tricky) expect(show(parseWireJson(text)), text).toBe(show(parseJsonExact(text)));
  });
  it("writes BigInt back as its digits, and sorts keys for hashing", () => {
    const v = parseWireJson('{"b": 123456789012345678901, "a": [1, "x"]}');
    expect(stringifyWireJson(v)).toBe('{"b":123456789012345678901,"a":[1,"x"]}');
    expect(canonicalJson(v)).toBe('{"a":[1,"x"],"b":123456789012345678901}');
  });
  it("throws on invalid JSON like JSON.parse", () => {
    expect(() => parseWireJson("{1: 2}")).toThrow();
    expect(() => parseWireJson("[12345678901234567890")).toThrow();
  });
});

describe("responseOf: the response part of an OpenRLHF query", () => {
  const prompt = "<|im_start|>user\nWrite f.<|im_end|>\n<|im_start|>assistant\n";
  it("cuts the prompt prefix", () => {
    expect(responseOf(`${prompt}def f(): pass<|im_end|>`, prompt)).toBe("def f(): pass<|im_end|>");
  });
  it("finds the prompt after a BOS token, else cuts at the last assistant marker, else keeps everything", () => {
    expect(responseOf(`<s>${prompt}x = 1`, prompt)).toBe("x = 1");
    expect(responseOf(`${prompt.replace("Write f.", "Write  f.")}x = 2`, prompt)).toBe("\nx = 2");
    expect(responseOf("<|start_header_id|>assistant<|end_header_id|>\n\ny = 3<|eot_id|>", undefined)).toBe("\n\ny = 3<|eot_id|>");
    expect(responseOf("just text", "other")).toBe("just text");
  });
});

describe("/run_code status mapping (SandboxFusion)", () => {
  const base = { stdout: "", stderr: "", wall_ms: 12.3456, cpu_ms: 1, max_rss_kb: 1 };
  it("maps every sandbox outcome", () => {
    expect(toRunCodeResponse({ ...base, status: "ok", exit_code: 0, stdout: "6\n" })).toMatchObject({ status: "Success", run_result: { status: "Finished", return_code: 0, stdout: "6\n", execution_time: 0.012 } });
    expect(toRunCodeResponse({ ...base, status: "ok", exit_code: 3 })).toMatchObject({ status: "Failed", run_result: { status: "Finished", return_code: 3 } });
    expect(toRunCodeResponse({ ...base, status: "compile_error", exit_code: 1 })).toMatchObject({ status: "Failed", run_result: { status: "Finished", return_code: 1 } });
    expect(toRunCodeResponse({ ...base, status: "runtime_error", exit_code: 1 })).toMatchObject({ status: "Failed", run_result: { status: "Finished", return_code: 1 } });
    expect(toRunCodeResponse({ ...base, status: "memory_limit", exit_code: 1 })).toMatchObject({ status: "Failed", run_result: { status: "Finished" } });
    expect(toRunCodeResponse({ ...base, status: "timeout", exit_code: null })).toMatchObject({ status: "Failed", run_result: { status: "TimeLimitExceeded", return_code: null } });
    expect(toRunCodeResponse({ ...base, status: "sandbox_error", exit_code: null, stderr: "worker died" })).toMatchObject({ status: "SandboxError", message: "worker died", run_result: null });
  });
});

describe("Admission", () => {
  it("admits up to the free slots plus the queue, and no more", () => {
    const a = new Admission(2, 3);
    expect(a.admit(5)).toBe(true);
    expect(a.admit(1)).toBe(false);
    const b = new Admission(2, 3);
    expect(b.admit(6)).toBe(false);
    expect(b.depth).toBe(0);
  });
  it("runs at most `concurrency` at once and drops a waiting sample whose deadline fires", async () => {
    const a = new Admission(1, 5);
    expect(a.admit(2)).toBe(true);
    let release!: () => void;
    const first = a.run(() => new Promise<string>((r) => (release = () => r("first"))));
    const abort = new AbortController();
    let started = false;
    const second = a.run(async () => {
      started = true;
      return "second";
    }, abort.signal);
    expect(a.running).toBe(1);
    expect(a.depth).toBe(1);
    abort.abort();
    await expect(second).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(a.depth).toBe(0);
    release();
    expect(await first).toBe("first");
    expect(started).toBe(false);
    expect(a.running).toBe(0);
  });
});

describe("TaskStores", () => {
  it("resolves a task from each label form and explains what it cannot resolve", async () => {
    const stores = await TaskStores.load([join(MINI_DIR, "apps.jsonl"), join(MINI_DIR, "seccodeplt.json")]);
    const task = (stores.byReference("apps", "mini-sum") as { task: { id: string } }).task;
    const id = (r: ReturnType<TaskStores["resolveLabel"]>) => ("task" in r ? r.task.id : r.error);
    expect(id(stores.resolveLabel("mini-sum"))).toBe("mini-sum");
    expect(id(stores.resolveLabel({ dataset: "apps", task_id: "mini-sum" }))).toBe("mini-sum");
    expect(id(stores.resolveLabel('{"dataset": "apps", "task_id": "mini-sum"}'))).toBe("mini-sum");
    expect(id(stores.resolveLabel(task))).toBe("mini-sum");
    expect(id(stores.resolveLabel(stringifyWireJson(task)))).toBe("mini-sum");
    expect(id(stores.resolveLabel({ dataset: "seccodeplt", task_id: "mini-sum" }))).toContain("no such id");
    expect(id(stores.resolveLabel("{not json"))).toContain("does not parse");
    expect(id(stores.resolveLabel(null))).toContain("not null");
    expect(id(stores.resolveLabel({ foo: 1 }))).toContain("neither a task");
    expect(id(stores.resolveLabel({ id: "t", kind: "apps-stdin" }))).toContain("invalid task object");
    // The hash does not depend on the order of --tasks.
    const swapped = await TaskStores.load([join(MINI_DIR, "seccodeplt.json"), join(MINI_DIR, "apps.jsonl")]);
    expect(swapped.hash).toBe(stores.hash);
  });
});
