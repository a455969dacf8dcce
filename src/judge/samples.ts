/**
 * Reading `verify` sample files: one `{task_id, completion}` JSON object a line, each checked on its
 * own. Only whether a line can be read is decided here; what a completion's text may hold (empty,
 * NUL bytes, lone surrogates, oversized code) is the Verifier's one set of input rules
 * (src/verify/input.ts), the same for every command.
 */

export interface SampleLine {
  /** 1-based line number in the samples file. */
  line: number;
  task_id: string | null;
  completion?: string;
  /** Why this line cannot be judged; the run goes on. */
  error?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Splits the file into lines (blank lines skipped) and checks each one; never throws on content. */
export function parseSamples(bytes: Buffer): SampleLine[] {
  const out: SampleLine[] = [];
  let start = 0;
  let lineNo = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    lineNo++;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (raw.length === 0 || /^\s*$/.test(raw.toString("latin1"))) {
      if (end === bytes.length) break;
      continue;
    }
    out.push(parseSampleLine(raw, lineNo));
    if (end === bytes.length) break;
  }
  return out;
}

export function parseSampleLine(raw: Buffer, line: number): SampleLine {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    // Name the task when the rest of the line is readable, so the error lands on the right sample.
    let taskId: string | null = null;
    try {
      const lossy = JSON.parse(raw.toString("utf8")) as { task_id?: unknown };
      if (typeof lossy.task_id === "string" && lossy.task_id !== "") taskId = lossy.task_id;
      else if (typeof lossy.task_id === "number") taskId = String(lossy.task_id);
    } catch {
      taskId = null;
    }
    return { line, task_id: taskId, error: "sample line is not valid UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { line, task_id: null, error: `malformed sample line: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { line, task_id: null, error: "malformed sample line: expected a JSON object {task_id, completion}" };
  }
  const obj = value as Record<string, unknown>;
  const id = obj.task_id;
  const taskId = typeof id === "string" && id !== "" ? id : typeof id === "number" && Number.isFinite(id) ? String(id) : null;
  if (taskId === null) return { line, task_id: null, error: "malformed sample line: task_id must be a non-empty string or a number" };
  const completion = obj.completion;
  if (typeof completion !== "string") return { line, task_id: taskId, error: "malformed sample line: completion must be a string" };
  return { line, task_id: taskId, completion };
}
