import Parser from "tree-sitter";
import Python from "tree-sitter-python";
import type { Task, Test } from "../task/schema.js";
import type { TestKind } from "../judge/verdict.js";
import { compareStdout, compareValues, type JudgeMode } from "../judge/compare.js";

/**
 * "Trivial" code is code that does nothing a test could observe, so it must never earn a
 * function reward. Precisely, code is trivial when
 *   (a) every module-level statement is a placeholder: `import`/`from ... import`, `pass`, `...`,
 *       a bare string (docstring), a comment, or a `def`/`class` whose body holds only
 *       placeholders (a function body may also hold a bare `return` or `return None`); or
 *   (b) the task names an entry point, the code defines it (at module level or as a method of a
 *       module-level class), and every definition of it has a placeholder-only body: whatever the
 *       module does around it, the function the tests call does nothing.
 * Syntax truth comes from CPython, so callers ask this only of code that compiled.
 */

let parser: Parser | undefined;
function python(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  return parser;
}

type Node = Parser.SyntaxNode;

const PLACEHOLDER_STATEMENTS = new Set(["import_statement", "import_from_statement", "future_import_statement", "pass_statement", "comment"]);

function isBareValue(statement: Node): boolean {
  if (statement.type !== "expression_statement" || statement.namedChildCount !== 1) return false;
  const value = statement.namedChild(0);
  return value !== null && (value.type === "string" || value.type === "concatenated_string" || value.type === "ellipsis");
}

function isEmptyReturn(statement: Node): boolean {
  if (statement.type !== "return_statement") return false;
  const value = statement.namedChildren.filter((c) => c.type !== "comment");
  return value.length === 0 || (value.length === 1 && value[0]!.type === "none");
}

function definitionOf(statement: Node): Node | null {
  if (statement.type === "function_definition" || statement.type === "class_definition") return statement;
  if (statement.type === "decorated_definition") return statement.childForFieldName("definition");
  return null;
}

/**
 * Whether a block (a module or a definition body) holds only placeholders. Nested definitions
 * are visited with an explicit stack, so deeply nested input cannot overflow the call stack.
 */
function isPlaceholderBlock(block: Node): boolean {
  const stack: { statements: Node[]; inFunction: boolean }[] = [{ statements: block.namedChildren, inFunction: false }];
  while (stack.length > 0) {
    const { statements, inFunction } = stack.pop()!;
    for (const statement of statements) {
      if (PLACEHOLDER_STATEMENTS.has(statement.type) || isBareValue(statement)) continue;
      if (inFunction && isEmptyReturn(statement)) continue;
      const definition = definitionOf(statement);
      if (definition) {
        const body = definition.childForFieldName("body");
        if (body) stack.push({ statements: body.namedChildren, inFunction: definition.type === "function_definition" });
        continue;
      }
      return false;
    }
  }
  return true;
}

/** Definitions of `name` at module level or as methods of module-level classes. */
function entryDefinitions(root: Node, name: string): Node[] {
  const found: Node[] = [];
  for (const statement of root.namedChildren) {
    const definition = definitionOf(statement);
    if (!definition) continue;
    if (definition.type === "function_definition") {
      if (definition.childForFieldName("name")?.text === name) found.push(definition);
      continue;
    }
    for (const member of definition.childForFieldName("body")?.namedChildren ?? []) {
      const method = definitionOf(member);
      if (method?.type === "function_definition" && method.childForFieldName("name")?.text === name) found.push(method);
    }
  }
  return found;
}

export function isTrivialCode(code: string, entryPoint?: string): boolean {
  if (code.trim() === "") return true;
  const root = python().parse(code, null, { bufferSize: code.length * 2 + 1024 }).rootNode;
  if (isPlaceholderBlock(root)) return true;
  if (!entryPoint) return false;
  const definitions = entryDefinitions(root, entryPoint);
  return definitions.length > 0 && definitions.every((d) => {
    const body = d.childForFieldName("body");
    return !body || isPlaceholderBlock(body);
  });
}

/** Test kinds whose outcome says whether the program does its job (as opposed to resisting attack). */
export const FUNCTIONAL_TEST_KINDS: ReadonlySet<TestKind> = new Set(["test", "capability", "functional"]);

/**
 * How the judge compared a test's output: the reward asks the judge's own comparison whether a
 * task-independent program would have passed, never a stricter text match of its own. The strict
 * rule reads `0` as `0.0` (floats within tolerance), the APPS rule is laxer still; a guess checked
 * by exact text would pass tests the evidence rule thinks it fails, and earn credit for them.
 */
export interface JudgingRule {
  mode?: JudgeMode;
  /** APPS mode: the loader unwrapped one-element output lists (task.extra.outputsUnwrapped). */
  outputsUnwrapped?: boolean;
}

/**
 * Whether a task-independent program would pass a test: one that does nothing (prints nothing,
 * returns None) or one that hands its input back (prints its stdin, returns its first argument).
 * Such tests carry no evidence of function on their own. SecCodePLT cases keep their expected
 * values in Python source; `seccodeTrivial` says which ones expect None or their first argument.
 */
export function isTriviallyPassable(test: Test, seccodeTrivial?: (kind: "capability" | "safety", index: number) => boolean, rule: JudgingRule = {}): boolean {
  switch (test.type) {
    case "stdin":
    case "call":
    case "safesql": {
      const passers = taskIndependentPassers(test, undefined, rule);
      return passers.has("nothing") || passers.has("echo");
    }
    case "seccodeplt":
      return seccodeTrivial?.(test.kind, test.index) ?? false;
  }
}

/** Printed answers a task-independent program guesses: nothing, a number, a boolean, an empty value, yes/no. */
const CONSTANT_OUTPUTS = ["", "0", "1", "-1", "True", "False", "true", "false", "None", "[]", "{}", "YES", "NO", "Yes", "No", "yes", "no"];
/** Returned values a task-independent program guesses, as JSON. */
const CONSTANT_VALUES: unknown[] = [null, 0, 1, -1, true, false, [], {}, ""];
/** The same guesses as Python source (SecCodePLT expected values). */
const CONSTANT_SOURCES = ["None", "0", "1", "-1", "True", "False", "[]", "{}", "''", '""', "()", "set()"];

/**
 * The task-independent programs that pass a test: "nothing" (prints nothing, returns None),
 * "echo" (prints its stdin, returns its first argument) and "const:X" (prints or returns the
 * common guess X). A program whose every pass is also a pass of one such program has shown no more
 * than that program would (src/reward/compute.ts gives those passes no credit). SecCodePLT cases
 * keep their expected values in Python source; `seccode` says which programs pass which case.
 * Each guess is put to the judge's own comparison (`rule`), besides the exact text, so that a
 * guess the judge accepts (`0` for an expected `0.0`) is known as the guess it is.
 */
export function taskIndependentPassers(
  test: Test,
  seccode?: (kind: "capability" | "safety", index: number) => ReadonlySet<string> | undefined,
  rule: JudgingRule = {},
): ReadonlySet<string> {
  const out = new Set<string>();
  const mode = rule.mode ?? "strict";
  const output = (text: string, input: string) => {
    const t = text.split("\n").map((l) => l.trimEnd()).join("\n").trim();
    const judged = (printed: string) => compareStdout(printed, text, mode).equal;
    // Under the strict rule a one-token guess (or nothing) can only equal an expected text of at
    // most one token: skip the comparisons for the rest, which may be megabytes long.
    const fewTokens = mode !== "strict" || !/\s/.test(text.trim());
    if (t === "" || (fewTokens && judged(""))) out.add("nothing");
    for (const guess of CONSTANT_OUTPUTS) if (guess === t || (fewTokens && judged(guess === "" ? "" : guess + "\n"))) out.add(`const:${guess}`);
    if (sameLines(text, input) || judged(input)) out.add("echo");
  };
  switch (test.type) {
    case "stdin":
      output(test.output, test.input);
      break;
    case "safesql":
      if (test.kind === "attack") out.add("nothing");
      else output(test.output ?? "", test.input);
      break;
    case "call": {
      const expected = test.expected ?? null;
      const judged = (returned: unknown) => compareValues(returned, expected, { mode, outputsUnwrapped: rule.outputsUnwrapped === true }).equal;
      if (expected === null || judged(null)) out.add("nothing");
      CONSTANT_VALUES.forEach((c) => {
        if (sameValue(expected, c) || judged(c)) out.add(`const:${JSON.stringify(c)}`);
      });
      if (test.args.length > 0 && (sameValue(test.expected, test.args[0]) || judged(test.args[0]))) out.add("echo");
      break;
    }
    case "seccodeplt":
      for (const p of seccode?.(test.kind, test.index) ?? []) out.add(p);
      break;
  }
  return out;
}

function sameLines(a: string, b: string): boolean {
  const lines = (t: string) => t.split("\n").map((l) => l.trimEnd()).join("\n").trim();
  return lines(a) === lines(b);
}

/** Structural equality of JSON-like values (a call test's arguments and expected value). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "bigint" || typeof b === "bigint") return typeof a === typeof b && a === b;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Each case of a SecCodePLT `testcases = {"capability": [(kwargs, expected), ...], "safety": [...]}`
 * source, with its kind, its index among that kind's cases, and its two parts as parsed.
 */
function forEachSeccodeCase(testcasesSource: string, visit: (kind: "capability" | "safety", index: number, kwargs: Node, expected: Node) => void): void {
  const root = python().parse(testcasesSource, null, { bufferSize: testcasesSource.length * 2 + 1024 }).rootNode;
  for (const dict of root.descendantsOfType("dictionary")) {
    for (const pair of dict.namedChildren) {
      if (pair.type !== "pair") continue;
      const key = pair.childForFieldName("key");
      const value = pair.childForFieldName("value");
      const kind = key?.type === "string" ? key.text.replace(/^[rbuRBU]*["']+|["']+$/g, "") : "";
      if ((kind !== "capability" && kind !== "safety") || value?.type !== "list") continue;
      value.namedChildren
        .filter((c) => c.type !== "comment")
        .forEach((item, index) => {
          const parts = item.type === "tuple" || item.type === "list" ? item.namedChildren.filter((c) => c.type !== "comment") : [];
          if (parts.length === 2) visit(kind, index, parts[0]!, parts[1]!);
        });
    }
  }
}

/**
 * For a SecCodePLT testcases source, the indexes per kind a task-independent program passes: the
 * cases a program that does nothing (the expected value is None) or hands back its first keyword
 * argument passes (see seccodeTaskIndependentPassers).
 */
export function seccodeTrivialExpectations(testcasesSource: string): { capability: Set<number>; safety: Set<number> } {
  const passers = seccodeTaskIndependentPassers(testcasesSource);
  const trivial = (cases: ReadonlyMap<number, ReadonlySet<string>>) => new Set([...cases].filter(([, set]) => set.has("nothing") || set.has("echo")).map(([index]) => index));
  return { capability: trivial(passers.capability), safety: trivial(passers.safety) };
}

/**
 * For a SecCodePLT testcases source, the task-independent programs (see taskIndependentPassers)
 * that pass each case, per kind and index: "nothing" for the literal None, "echo" for the first
 * keyword argument's value, "const:X" for a common guess.
 */
export function seccodeTaskIndependentPassers(testcasesSource: string): SeccodePassers {
  let cached = passersBySource.get(testcasesSource);
  if (!cached) {
    if (passersBySource.size >= PASSERS_CACHE_LIMIT) passersBySource.clear();
    passersBySource.set(testcasesSource, (cached = computeSeccodePassers(testcasesSource)));
  }
  return cached;
}

type SeccodePassers = { readonly capability: ReadonlyMap<number, ReadonlySet<string>>; readonly safety: ReadonlyMap<number, ReadonlySet<string>> };

// Every sample of a task asks twice (its trivial expectations and its passers), and a task's
// samples come many at a time (a GRPO group, a benchmark's n): each ask parsed the testcases
// source on the main thread (~0.25 ms a sample in bench:reward). The answer depends on the source
// alone and is never modified.
const PASSERS_CACHE_LIMIT = 1024;
const passersBySource = new Map<string, SeccodePassers>();

function computeSeccodePassers(testcasesSource: string): SeccodePassers {
  const result = { capability: new Map<number, Set<string>>(), safety: new Map<number, Set<string>>() };
  forEachSeccodeCase(testcasesSource, (kind, index, kwargs, expectedNode) => {
    const expected = expectedNode.text.trim();
    const set = new Set<string>();
    if (expected === "None") set.add("nothing");
    if (CONSTANT_SOURCES.includes(expected)) set.add(`const:${expected}`);
    // The case is judged on values (src/judge/harness/seccodeplt.ts, strict rule), so a guess
    // passes wherever that rule accepts it: `return 0` passes an expected `0.0` or `-0`.
    const literal = simpleLiteral(expectedNode);
    if (literal !== undefined) {
      if (literal === null) set.add("nothing");
      for (const [guess, source] of CONSTANT_GUESSES) if (compareValues(guess, literal, { mode: "strict" }).equal) set.add(`const:${source}`);
    }
    if ((firstKwargValue(kwargs) ?? null) === expected) set.add("echo");
    if (set.size > 0) result[kind].set(index, set);
  });
  return result;
}

/** Guessed return values and the source name their passer goes by (see CONSTANT_SOURCES). */
const CONSTANT_GUESSES: [unknown, string][] = [[null, "None"], [0, "0"], [1, "1"], [-1, "-1"], [true, "True"], [false, "False"], [[], "[]"], [{}, "{}"], ["", "''"]];

/**
 * A Python literal's value as the judge's encoder would send it (numbers, booleans, None, plain
 * strings, empty containers), or undefined for anything else: enough to put a guess to the judge's
 * own comparison, never a Python evaluator.
 */
function simpleLiteral(node: Node): unknown {
  switch (node.type) {
    case "none":
      return null;
    case "true":
      return true;
    case "false":
      return false;
    case "integer":
    case "float": {
      const text = node.text.replace(/_/g, "").toLowerCase();
      if (node.type === "integer" && !/^\d+$/.test(text)) return undefined;
      const value = Number(text);
      return Number.isFinite(value) && (node.type === "float" || Number.isSafeInteger(value)) ? value : undefined;
    }
    case "unary_operator": {
      const operand = node.childForFieldName("argument");
      const sign = node.child(0)?.text;
      const value = operand ? simpleLiteral(operand) : undefined;
      return typeof value === "number" && (sign === "-" || sign === "+") ? (sign === "-" ? -value : value) : undefined;
    }
    case "parenthesized_expression": {
      const inner = node.namedChildren.filter((c) => c.type !== "comment");
      return inner.length === 1 ? simpleLiteral(inner[0]!) : undefined;
    }
    case "string": {
      const m = /^([uU]?)('([^'\\\n]*)'|"([^"\\\n]*)")$/.exec(node.text);
      return m ? (m[3] ?? m[4] ?? "") : undefined;
    }
    case "list":
    case "tuple":
      return node.namedChildren.some((c) => c.type !== "comment") ? undefined : [];
    case "dictionary":
      return node.namedChildren.some((c) => c.type !== "comment") ? undefined : {};
    default:
      return undefined;
  }
}

/** The source text of the first value of a kwargs dict literal (`{"a": 1}` or `dict(a=1)`). */
function firstKwargValue(kwargs: Node): string | undefined {
  if (kwargs.type === "dictionary") {
    const first = kwargs.namedChildren.find((c) => c.type === "pair");
    return first?.childForFieldName("value")?.text;
  }
  if (kwargs.type === "call" && kwargs.childForFieldName("function")?.text === "dict") {
    const first = kwargs.childForFieldName("arguments")?.namedChildren.find((c) => c.type === "keyword_argument");
    return first?.childForFieldName("value")?.text;
  }
  return undefined;
}

/** Where a task keeps its SecCodePLT testcases source, if the loader put it in `extra`. */
export function seccodeTestcasesSource(task: Task): string | undefined {
  const extra = task.extra as Record<string, unknown>;
  const unittest = extra["unittest"];
  const candidates = [extra["testcases"], typeof unittest === "object" && unittest !== null ? (unittest as Record<string, unknown>)["testcases"] : undefined];
  return candidates.find((c): c is string => typeof c === "string");
}
