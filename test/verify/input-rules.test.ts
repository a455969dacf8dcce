import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSpec } from "../../src/reward/index.js";
import { loadTasks, type Task } from "../../src/task/index.js";
import { MAX_CODE_BYTES, refuseCode, refuseCompletion, Verifier, wellFormed, type SampleResult } from "../../src/verify/index.js";
import { MINI_DIR, readResults, runCliAsync, tempDir } from "../bench/helpers.js";

/**
 * One set of input rules (src/verify/input.ts): every command gives the same completion the
 * same verdict. Each awkward completion goes through `verify`, `bench --samples` and the
 * in-process Verifier, and the three must agree on reward, parts, compiled and error.
 */

const CORRECT = "n = int(input())\nprint(sum(map(int, input().split())))";
const AWKWARD: Record<string, string> = {
  empty: "",
  whitespace: "  \n\t\n",
  prose: "I would rather not.",
  "nul in code": "```python\nprint(1)\u0000\n```",
  "nul in prose": `Here\u0000 it is:\n\`\`\`python\n${CORRECT}\n\`\`\``,
  "lone surrogate in code": "```python\nprint('\ud800')\n```",
  "oversized code": `\`\`\`python\n${"x = 1\n".repeat(Math.ceil(MAX_CODE_BYTES / 6) + 10)}print(0)\n\`\`\``,
  "special token after fence": `\`\`\`python\n${CORRECT}\n\`\`\`<|im_end|>`,
};

const root = tempDir("scrl-input-rules-");
let sum: Task;
const viaVerifier = new Map<string, SampleResult>();

beforeAll(async () => {
  sum = (await loadTasks(join(MINI_DIR, "apps.jsonl"))).tasks.find((t) => t.id === "mini-sum")!;
  const verifier = new Verifier({ spec: getSpec("real"), jobs: 2, limits: { timeoutMs: 2000 } });
  try {
    for (const [name, completion] of Object.entries(AWKWARD)) viaVerifier.set(name, await verifier.verify(sum, completion));
  } finally {
    await verifier.close();
  }
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const verdict = (r: { reward: { value: number; parts: unknown } | null; compiled: boolean; error?: string | null }) => ({ reward: r.reward, compiled: r.compiled, error: r.error ?? null });

describe("input rules", () => {
  it("refuse what they should, and say why", () => {
    expect(refuseCompletion("")).toMatchObject({ as: "no_code", error: "empty completion" });
    expect(refuseCompletion(" \n")).toMatchObject({ as: "no_code" });
    expect(refuseCompletion("x")).toBeNull();
    expect(refuseCode("print(1)\u0000")).toMatchObject({ as: "compile_error", error: "completion contains a NUL byte" });
    // Lone surrogates become U+FFFD, as on every UTF-8 path; real pairs (an emoji) stay.
    expect(wellFormed("a\ud800b\udc00")).toBe("a\ufffdb\ufffd");
    expect(wellFormed("\ud83d\ude00")).toBe("\ud83d\ude00");
    expect(refuseCode("é".repeat(MAX_CODE_BYTES / 2 + 1))).toMatchObject({ error: `code exceeds the ${MAX_CODE_BYTES}-byte limit` });
    expect(refuseCode("é".repeat(MAX_CODE_BYTES / 2 - 1))).toBeNull();
  });

  it("score refusals with the spec's penalties, never a null reward, never a judge error", () => {
    const v = (name: string) => viaVerifier.get(name)!;
    for (const name of ["empty", "whitespace", "prose"]) expect(v(name).reward).toMatchObject({ value: -1, parts: { no_code: 1 } });
    expect(v("empty").error).toBe("empty completion");
    expect(v("prose").error).toBe("completion holds no code");
    for (const name of ["nul in code", "oversized code"]) {
      expect(v(name).reward, name).toMatchObject({ value: -0.5, parts: { compile_error: 1 } });
      expect(v(name).compiled).toBe(false);
    }
    expect(v("oversized code").code).toBeNull();
    expect(v("lone surrogate in code").code).toBe("print('\ufffd')");
    expect(v("lone surrogate in code").compiled).toBe(true);
    expect(v("nul in prose").reward?.value).toBe(1);
    expect(v("special token after fence").reward?.value).toBe(1);
    for (const r of viaVerifier.values()) {
      expect(r.status).toBe("ok");
      expect(r.reward?.parts.judge_error).toBeUndefined();
    }
  });

  it("give the same verdict through verify, bench --samples and the Verifier", async () => {
    const names = Object.keys(AWKWARD);
    const samples = join(root, "samples.jsonl");
    writeFileSync(samples, names.map((n) => JSON.stringify({ task_id: "mini-sum", completion: AWKWARD[n] })).join("\n") + "\n");
    const tasks = join(MINI_DIR, "apps.jsonl");
    const out = join(root, "verify.jsonl");
    const [v, b] = await Promise.all([
      runCliAsync(["verify", "--tasks", tasks, "--samples", samples, "--out", out, "--reward", "real", "--timeout", "2", "--jobs", "1"]).done,
      runCliAsync(["bench", "--tasks", tasks, "--samples", samples, "--reward", "real", "--timeout", "2", "--jobs", "1", "--out", join(root, "bench"), "--quiet"]).done,
    ]);
    expect(v.status, v.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const fromVerify = readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const fromBench = readResults(join(root, "bench")).filter((r) => r.task_id === "mini-sum");
    names.forEach((name, i) => {
      const expected = verdict(viaVerifier.get(name)!);
      expect(verdict(fromVerify[i]), `verify: ${name}`).toEqual(expected);
      expect(verdict(fromBench.find((r) => r.sample_index === i)), `bench: ${name}`).toEqual(expected);
    });
  }, 300_000);
});
