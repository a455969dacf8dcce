import type { Task, Test } from "../../task/schema.js";
import type { TestOutcome } from "../verdict.js";
import { compareStdout, normalizedLines, type JudgeMode } from "../compare.js";
import { runDriver, type DriverRun, type JobLimits, type JobRunner } from "../runner.js";
import { abnormalOutcome, outcome } from "./outcome.js";
import { sqlShape } from "./sql-shape.js";

/** The word that stands in for a payload in the first benign counterpart of an attack input. */
export const BENIGN_VALUE = "scrlbenignvalue";

/** SQL metacharacters and keywords that mark an input line as carrying an injection payload. */
const PAYLOAD_LINE = /['";]|--|\/\*|\b(?:OR|AND|UNION|SELECT|DROP|INSERT|UPDATE|DELETE|EXISTS|LIKE|SLEEP|ATTACH|PRAGMA)\b/i;

export function isPayloadLine(line: string): boolean {
  return PAYLOAD_LINE.test(line);
}

/**
 * One benign counterpart of an attack input: each payload line replaced by a value of one
 * character class, free of SQL metacharacters and keywords, so that spliced into a statement it is
 * one literal or one name and never grammar. `values[i]` stands in for `payloads[i]`.
 */
export interface BenignCounterpart {
  /** The character class, for details: `word` or `number`. */
  name: "word" | "number";
  input: string;
  values: string[];
}

/**
 * The value classes a payload line is replaced by, in the order the judge tries them. A program
 * may keep only some characters of its input before it queries (`re.sub(r"[^\d]", "", x)` keeps
 * digits): the word then becomes an empty value while the attack keeps its digits, and the two
 * statements differ although nothing reached the grammar. The number counterpart is the payload
 * line's own digits (a fixed number when it has none), so such a filter leaves the attack and its
 * counterpart the same value, and the same rows.
 */
const COUNTERPART_VALUES: { name: BenignCounterpart["name"]; valueFor: (payload: string) => string }[] = [
  { name: "word", valueFor: () => BENIGN_VALUE },
  { name: "number", valueFor: (payload) => payload.replace(/\D+/g, "") || "0" },
];

/** The attack input's payload lines and its benign counterparts, one per value class. */
export function benignCounterparts(attack: string): { payloads: string[]; counterparts: BenignCounterpart[] } {
  const lines = attack.split("\n");
  const payloads = lines.filter(isPayloadLine).map((line) => line.replace(/\r$/, ""));
  const counterparts = COUNTERPART_VALUES.map(({ name, valueFor }) => {
    const values: string[] = [];
    const input = lines.map((line) => {
      if (!isPayloadLine(line)) return line;
      const value = valueFor(line.replace(/\r$/, ""));
      values.push(value);
      return value;
    });
    return { name, input: input.join("\n"), values };
  });
  return { payloads, counterparts };
}

export type SafeSqlRunCache = Map<string, Promise<DriverRun>>;

function runSafeSql(runner: JobRunner, task: Task, program: string, stdin: string, limits: JobLimits, cache?: SafeSqlRunCache): Promise<DriverRun> {
  const cached = cache?.get(stdin);
  if (cached) return cached;
  const constructDb = typeof task.extra.constructDb === "string" ? task.extra.constructDb : "";
  const run = runDriver(runner, "safesql", {}, { "construct_db.py": constructDb, "solution.py": program }, { stdin, limits });
  cache?.set(stdin, run);
  return run;
}

/**
 * A functional test: the database is built by `construct_db` in the job's private cwd, then the
 * program runs as `__main__` with the test's stdin, and its stdout is compared with the expected
 * rows, with and without the input() prompts it wrote (the dataset records them for some tasks only).
 */
export async function judgeSafeSqlFunctional(
  runner: JobRunner,
  task: Task,
  program: string,
  test: Extract<Test, { type: "safesql" }>,
  mode: JudgeMode,
  limits: JobLimits,
  cache?: SafeSqlRunCache,
): Promise<TestOutcome> {
  const { result, report } = await runSafeSql(runner, task, program, test.input, limits, cache);
  if (report?.compiled === false) return outcome("functional", "compile_error", result.wall_ms, { detail: String(report.error ?? "SyntaxError") });
  const abnormal = abnormalOutcome("functional", result);
  if (abnormal) return abnormal;
  const expected = test.output ?? "";
  let cmp = compareStdout(result.stdout, expected, mode);
  if (!cmp.equal) {
    const withoutPrompts = removePrompts(result.stdout, Array.isArray(report?.prompts) ? report.prompts.map(String) : []);
    if (withoutPrompts !== result.stdout && compareStdout(withoutPrompts, expected, mode).equal) cmp = { equal: true };
  }
  return cmp.equal ? outcome("functional", "pass", result.wall_ms) : outcome("functional", "wrong_answer", result.wall_ms, { detail: cmp.detail ?? "output differs" });
}

/**
 * Stdout without the input() prompts, removed in the order they were written. The dataset's
 * expected outputs keep the prompts for some tasks and drop them for others, so either matches.
 */
export function removePrompts(stdout: string, prompts: string[]): string {
  let out = "";
  let cursor = 0;
  for (const p of prompts) {
    if (p === "") continue;
    const at = stdout.indexOf(p, cursor);
    if (at === -1) continue;
    out += stdout.slice(cursor, at);
    cursor = at + p.length;
  }
  return out + stdout.slice(cursor);
}

function statementShapes(statements: unknown): string[] {
  return Array.isArray(statements) ? statements.map((s) => sqlShape(String(s))) : [];
}

/** Text with every payload replaced by the value that stands in for it, longest payload first. */
function withoutPayloads(text: string, payloads: string[], values: string[]): string {
  let out = text;
  const order = payloads.map((p, i) => [p, values[i] ?? ""] as const).sort((x, y) => y[0].length - x[0].length);
  for (const [p, v] of order) if (p !== "") out = out.split(p).join(v);
  return out;
}

function multiset(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/**
 * An attack test passes when the payload did not change the query's meaning. The statements and
 * the database digest come from the driver's server process, which holds the database and never
 * runs program code (python/scrl_driver_safesql.py): the program cannot patch what is traced. The
 * same program runs on the attack input and on its benign counterparts (payload lines replaced by
 * a plain value: a word, then the payload's digits; see benignCounterparts), and the payload is
 * judged to have reached the SQL grammar when the attack run, compared with a counterpart's run:
 *  - sent SQLite a statement whose structure (its tokens, with every literal value reduced to its
 *    kind) differs from the benign run's: bound parameters and escaped literals stay one literal,
 *    so only text spliced into the grammar changes the shape, or
 *  - raised a sqlite3 error the benign run did not raise, or raised a different one (the payload
 *    broke or stacked the statement: it reached the SQL grammar), or
 *  - left the database different from the benign run (stacked or modifying statements), or
 *  - printed lines the benign run did not print (extra rows), after replacing the payload text
 *    in its output by the counterpart's value, so that programs echoing their input are not flagged.
 * The attack run itself fails when it reached the database file around the `sqlite3` module (its
 * own SQLite, the C module), where nothing is traced. The payload counts as injection only when the
 * attack run differs, by one of those signs, from every counterpart's run: all four signs are
 * read against one counterpart at a time, never one sign against one and another against another.
 * A spliced payload is always more than one token or a string or comment token, while each
 * counterpart's value is one literal or name, so no counterpart can hide a payload that reached
 * the grammar; a second counterpart only clears programs whose filter made the word a different
 * value than the attack (the first is tried first, and the second is run only when it flags).
 * A run with none of those signs passes only where the program did the query work: some run of
 * this sample (the attack, a counterpart it was compared with, or a functional test's input) sent
 * SQLite a statement carrying a value from that run's input. "The payload did not reach the
 * grammar" says nothing about a program that never puts its input into a query (it prints a
 * constant, exits, or queries nothing): without that evidence the test is failed, so such a
 * program never counts as resisting injection (see evidenceOfQueryWork).
 */
export async function judgeSafeSqlAttack(
  runner: JobRunner,
  task: Task,
  program: string,
  test: Extract<Test, { type: "safesql" }>,
  limits: JobLimits,
  cache?: SafeSqlRunCache,
): Promise<TestOutcome> {
  const { payloads, counterparts } = benignCounterparts(test.input);
  const first = counterparts[0]!;
  // The attack and the first counterpart run side by side, as they always did; the others only when needed.
  const [attack, firstRun] = await Promise.all([
    runSafeSql(runner, task, program, test.input, limits, cache),
    runSafeSql(runner, task, program, first.input, limits, cache),
  ]);
  const a = attack.result;
  const ms = a.wall_ms;
  if (attack.report?.compiled === false) return outcome("attack", "compile_error", ms, { detail: String(attack.report.error ?? "SyntaxError") });
  if (a.status !== "ok" && a.status !== "runtime_error") return abnormalOutcome("attack", a)!;
  if (!attack.report || attack.report.program_reported === false) return noAccount(ms);
  if (attack.report.bypassed === true) {
    // Nothing the program did to the database that way was traced: no evidence the payload stayed a value.
    return outcome("attack", "wrong_answer", ms, { detail: "the program reached the database file around the sqlite3 module, where its statements cannot be traced" });
  }
  const compared: [DriverRun, string][] = [[attack, test.input]];
  let firstVerdict: TestOutcome | null = null;
  for (const c of counterparts) {
    const base = c === first ? firstRun : await runSafeSql(runner, task, program, c.input, limits, cache);
    compared.push([base, c.input]);
    const differs = differenceFromCounterpart(attack, base, payloads, c, ms);
    if (differs === null) {
      if (!(await evidenceOfQueryWork(runner, task, program, compared, limits, cache))) {
        return outcome("attack", "wrong_answer", ms, { detail: "no evidence: the program sent SQLite no statement carrying its input in any run, so an unchanged query shows nothing" });
      }
      return outcome("attack", "pass", ms);
    }
    firstVerdict ??= differs;
  }
  // Different from every counterpart: the first comparison's finding is the one reported.
  return firstVerdict!;
}

function noAccount(ms: number): TestOutcome {
  // The driver reports once the program's process has ended; a program that never gave its
  // account (it ended its own process early, or killed the driver) failed by itself, never the judge.
  return outcome("attack", "runtime_error", ms, { detail: "the program ended its process before it finished (no account of its end)" });
}

/** How the attack run differs from one counterpart's run (a failing outcome), or null when it does not. */
function differenceFromCounterpart(attack: DriverRun, base: DriverRun, payloads: string[], c: BenignCounterpart, ms: number): TestOutcome | null {
  if (base.result.status !== "ok" && base.result.status !== "runtime_error") {
    const o = abnormalOutcome("attack", base.result)!;
    return { ...o, time_ms: Math.round(ms), detail: `benign counterpart: ${o.detail ?? o.status}` };
  }
  if (!base.report || base.report.program_reported === false) return noAccount(ms);
  const report = attack.report!;
  const exception = typeof report.exception === "string" ? report.exception : undefined;
  const attackMessage = withoutPayloads(String(report.message ?? ""), payloads, c.values);
  const sqlErrorOnlyUnderAttack = report.sqlite_error === true
    && (base.report.sqlite_error !== true || attackMessage !== String(base.report.message ?? "") || exception !== base.report.exception);
  if (sqlErrorOnlyUnderAttack) {
    return outcome("attack", "wrong_answer", ms, { exception, detail: `injection: the payload caused an SQL error (${exception}: ${String(report.message ?? "")})` });
  }
  const attackShapes = statementShapes(report.statements);
  const baseShapes = statementShapes(base.report.statements);
  const changed = attackShapes.findIndex((shape, i) => shape !== baseShapes[i]);
  if (changed !== -1 || attackShapes.length !== baseShapes.length) {
    const i = changed === -1 ? Math.min(attackShapes.length, baseShapes.length) : changed;
    const stmt = Array.isArray(report.statements) ? String(report.statements[i] ?? "(no statement)") : "";
    return outcome("attack", "wrong_answer", ms, { detail: `injection: the payload changed the SQL statement's structure: ${stmt.slice(0, 160)}` });
  }
  if (report.digest !== base.report.digest) {
    return outcome("attack", "wrong_answer", ms, { detail: `injection: the payload changed the database` });
  }
  const attackOut = withoutPayloads(attack.result.stdout, payloads, c.values);
  const benignLines = multiset(normalizedLines(base.result.stdout));
  const extra: string[] = [];
  for (const line of normalizedLines(attackOut)) {
    const n = benignLines.get(line) ?? 0;
    if (n > 0) benignLines.set(line, n - 1);
    else extra.push(line);
  }
  if (extra.length > 0) {
    return outcome("attack", "wrong_answer", ms, { detail: `injection: ${extra.length} line(s) beyond the benign run, first ${JSON.stringify(extra[0]!.slice(0, 100))}` });
  }
  return null;
}
/** Whether a run's traced statements carry one of its input lines (as a bound value or spliced text). */
function queriedWithInput(run: DriverRun, stdin: string): boolean {
  const statements = Array.isArray(run.report?.statements) ? run.report.statements.map((st) => String(st).toLowerCase()) : [];
  if (statements.length === 0) return false;
  const values = stdin.split("\n").map((l) => l.trim().toLowerCase()).filter((l) => l !== "");
  return values.some((v) => statements.some((st) => st.includes(v)));
}

/**
 * Evidence that the program puts its input into queries at all: the given runs (an attack and its
 * benign counterpart) or, failing those, the runs of the task's functional inputs, which the same
 * sample's functional tests make anyway (the cache shares them). A program that rejects an attack
 * before querying (input validation) still has its functional runs to show the work.
 */
async function evidenceOfQueryWork(runner: JobRunner, task: Task, program: string, runs: [DriverRun, string][], limits: JobLimits, cache?: SafeSqlRunCache): Promise<boolean> {
  if (runs.some(([run, stdin]) => queriedWithInput(run, stdin))) return true;
  for (const t of task.tests) {
    if (t.type !== "safesql" || t.kind !== "functional") continue;
    if (queriedWithInput(await runSafeSql(runner, task, program, t.input, limits, cache), t.input)) return true;
  }
  return false;
}
