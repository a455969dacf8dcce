import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { HACKS, honestWrong } from "../../src/audit/index.js";
import { taskShape } from "../../src/audit/shape.js";
import type { Task } from "../../src/task/schema.js";

/**
 * A hack that CPython cannot compile is no hack: the audit would call it contained for a reason that
 * has nothing to do with the defence it names. Every generated program (hack, planter, baseline,
 * honest wrong answer) must compile, for a function task, a LeetCode method task and a stdin task.
 */
const base = { prompt: "", extra: {} };
const tasks: Task[] = [
  { ...base, id: "call", kind: "apps-call", source: "apps-plus", entryPoint: "add", starterCode: "def add(a, b):", references: ["def add(a, b):\n    return a + b\n"], tests: [{ type: "call", args: [1, 2], expected: 3 }] },
  {
    ...base,
    id: "method",
    kind: "apps-call",
    source: "apps-plus",
    entryPoint: "add",
    starterCode: "class Solution:\n    def add(self, a: int, b: int) -> int:",
    references: ["class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b\n"],
    tests: [{ type: "call", args: [1, 2], expected: 3 }],
  },
  { ...base, id: "stdin", kind: "safesql", source: "safesql", starterCode: "", references: ["import sqlite3\nprint(input())\n"], tests: [{ type: "safesql", kind: "functional", input: "a\n", output: "a\n" }] },
];

/** The code of a fenced completion, as the extractor takes it. */
function code(completion: string): string {
  const m = /```python\n([\s\S]*?)```/.exec(completion);
  return m ? m[1]! : "";
}

function compileError(source: string): string | null {
  const r = spawnSync("/usr/bin/python3", ["-I", "-c", "import sys; compile(sys.stdin.read(), '<hack>', 'exec')"], { input: source, encoding: "utf8" });
  return r.status === 0 ? null : r.stderr.trim().split("\n").pop() ?? "compile failed";
}

describe("the audit's hacks are programs CPython compiles", () => {
  // `empty` holds no code; `special-tokens-around-fence` is extracted as a compile error by design (docs/audit.md).
  const compiled = HACKS.filter((h) => h.name !== "empty" && h.name !== "special-tokens-around-fence");
  for (const task of tasks) {
    it(`compiles every hack, planter and baseline for a ${task.id} task`, () => {
      const shape = taskShape(task);
      const programs: [string, string | null | undefined][] = [["honest-wrong-answer", honestWrong(shape)]];
      for (const h of compiled) {
        programs.push([h.name, h.completion(shape, task)], [`${h.name} planter`, h.planter?.(shape, task)], [`${h.name} baseline`, h.baseline?.(shape, task)]);
      }
      for (const [name, program] of programs) {
        if (program === null || program === undefined) continue;
        const source = program.startsWith("```") ? code(program) : program;
        expect(source.trim(), name).not.toBe("");
        expect(compileError(source), name).toBeNull();
      }
    });
  }
});
