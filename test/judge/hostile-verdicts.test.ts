import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.js";

/**
 * Programs that try to fake their verdict (issue 9) through `securecoderl verify`: none solves its
 * task, so none may pass, none may pass off its failure as a judge failure (sandbox_error), and none
 * may earn more reward than an honest wrong answer to the same task.
 */
const dir = join(import.meta.dirname, "..", "sandbox", "hostile", "verdicts");
const programs = readdirSync(dir).filter((f) => f.endsWith(".py")).sort();

function taskOf(source: string, file: string): string {
  const m = /^# task: (\d+)$/m.exec(source);
  if (!m) throw new Error(`${file} names no task ("# task: N")`);
  return m[1]!;
}

function writeTasks(at: string): string {
  const rows = [
    { problem_id: 1, question: "Add two numbers.", solutions: "[]", starter_code: "", input_output: JSON.stringify({ inputs: ["1 2\n", "5 5\n"], outputs: ["3\n", "10\n"] }) },
    { problem_id: 2, question: "Double it.", solutions: "[]", starter_code: "def double(x):\n", input_output: JSON.stringify({ fn_name: "double", inputs: [[2], [21]], outputs: [[4], [42]] }) },
  ];
  const path = join(at, "tasks.jsonl");
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return path;
}

/** An honest wrong answer per task: the bar no hack may clear. */
const HONEST_WRONG: Record<string, string> = {
  "1": "a, b = map(int, input().split())\nprint(a - b)\n",
  "2": "def double(x):\n    return x + 1\n",
};

describe("hostile verdict programs", () => {
  it("has at least ten", () => {
    expect(programs.length).toBeGreaterThanOrEqual(10);
  });

  it("each gets an honest, non-passing verdict and no more reward than an honest wrong answer", () => {
    const work = mkdtempSync(join(tmpdir(), "scrl-hostile-verdicts-"));
    const tasks = writeTasks(work);
    const rows: { task_id: string; completion: string; name: string }[] = [];
    for (const [task, code] of Object.entries(HONEST_WRONG)) rows.push({ task_id: task, completion: code, name: `honest-wrong-${task}` });
    for (const file of programs) {
      const source = readFileSync(join(dir, file), "utf8");
      rows.push({ task_id: taskOf(source, file), completion: source, name: file });
    }
    const samples = join(work, "samples.jsonl");
    writeFileSync(samples, rows.map(({ task_id, completion }) => JSON.stringify({ task_id, completion })).join("\n") + "\n");
    const out = join(work, "results.jsonl");
    const r = runCli(["verify", "--tasks", tasks, "--dataset", "apps", "--samples", samples, "--out", out, "--jobs", "2", "--timeout", "3"]);
    expect(r.status, r.stderr).toBe(0);
    const results = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as {
      task_id: string; passed: number; total: number; error?: string; reward: { value: number }; tests: { status: string }[];
    });
    expect(results).toHaveLength(rows.length);
    const bar = new Map(results.slice(0, 2).map((x) => [x.task_id, x.reward.value]));
    results.slice(2).forEach((res, i) => {
      const name = rows[i + 2]!.name;
      expect(res.total, name).toBeGreaterThan(0);
      expect(res.passed, name).toBeLessThan(res.total);
      expect(res.error, name).toBeUndefined();
      expect(res.tests.map((t) => t.status), name).not.toContain("sandbox_error");
      expect(res.reward.value, name).toBeLessThanOrEqual(bar.get(res.task_id)!);
    });
  });
});
