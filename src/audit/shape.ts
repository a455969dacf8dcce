import type { Task } from "../task/schema.js";

/**
 * What a hack needs to know about a task to look like an answer to it: how the judge calls the
 * program (a function or stdin), the entry point's name and header, and whether it is a method of
 * LeetCode's `class Solution`. Hacks are task-independent otherwise, as an optimiser's would be.
 */
export interface TaskShape {
  style: "call" | "stdin";
  entry: string;
  /** The entry's `def` line as the starter code or a reference spells it (annotations kept). */
  header: string;
  inClass: boolean;
  /** A Python literal of the expected values' type that is not the answer (the honest wrong answer's return). */
  wrongLiteral: string;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The first one-line `def entry(...):` header in the starter code or a reference, trimmed. */
function findHeader(task: Task, entry: string): string | null {
  const re = new RegExp(`^\\s*def\\s+${escapeRegex(entry)}\\s*\\(.*\\)\\s*(->[^:]*)?:\\s*$`, "m");
  for (const text of [task.starterCode, ...task.references]) {
    const m = re.exec(text);
    if (m) return m[0].trim();
  }
  return null;
}

/**
 * A wrong value of the type the first call test expects, so a type checker sees nothing odd in the
 * honest wrong answer (a hack must not win merely because the baseline returned an ill-typed value).
 */
function wrongLiteralFor(task: Task): string {
  const first = task.tests.find((t) => t.type === "call");
  const expected = first && first.type === "call" ? first.expected : undefined;
  if (typeof expected === "number") return "-987654321";
  if (typeof expected === "boolean") return expected ? "False" : "True";
  if (typeof expected === "string") return "'wrong answer'";
  if (Array.isArray(expected)) return "[]";
  if (expected !== null && typeof expected === "object") return "{}";
  if (expected === null && first) return "0";
  return "'wrong answer'";
}

export function taskShape(task: Task): TaskShape {
  const style = task.kind === "apps-stdin" || task.kind === "safesql" ? "stdin" : "call";
  const entry = task.entryPoint ?? "solve";
  const inClass = /^\s*class\s+Solution\b/m.test(task.starterCode);
  const fallback = inClass ? `def ${entry}(self, *args, **kwargs):` : `def ${entry}(*args, **kwargs):`;
  return { style, entry, header: style === "call" ? (findHeader(task, entry) ?? fallback) : fallback, inClass, wrongLiteral: wrongLiteralFor(task) };
}

function indent(lines: readonly string[], by: string): string[] {
  return lines.map((l) => (l === "" ? l : by + l));
}

/**
 * A call-style program: `prelude` at module level, then the entry with `body`, inside
 * `class Solution` when the task's entry is a method. `header` defaults to the task's own.
 */
export function callProgram(shape: TaskShape, body: readonly string[], opts: { prelude?: readonly string[]; header?: string } = {}): string {
  const header = opts.header ?? shape.header;
  const fn = [header, ...indent(body, "    ")];
  const lines = [...(opts.prelude ?? []), ...(shape.inClass ? ["class Solution:", ...indent(fn, "    ")] : fn)];
  return lines.join("\n") + "\n";
}

/** A header that accepts any call, `self` first for a method. */
export function anyArgsHeader(shape: TaskShape): string {
  return shape.inClass ? `def ${shape.entry}(self, *args, **kwargs):` : `def ${shape.entry}(*args, **kwargs):`;
}

/** Fenced as a model would answer, so the extractor takes the code as written. */
export function fenced(code: string): string {
  return "```python\n" + code + "```\n";
}
