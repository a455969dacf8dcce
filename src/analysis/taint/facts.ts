/**
 * Taint facts and abstract states. A fact says "this value may carry data from source S, and it has
 * been sanitized for the classes in `cleared`"; a value's taint is a small set of facts, deduplicated
 * by (source, cleared). Paths are kept for reporting only (first path wins) and never affect
 * equality, so the fixpoint terminates: sources and class masks are finite.
 */
import type { FlowStep } from "../finding.js";
import { ALL_CLASSES_MASK, ENCODED_BIT } from "./models/index.js";

export interface TaintSource {
  id: number;
  label: string;
  line: number;
  col: number;
  /** Synthetic source standing for parameter `index` of function `fn` (used to build summaries). */
  /** `marks`: the quote marks (quotes.ts) this variant of the parameter is assumed to carry. */
  param?: { fn: string; index: number; marks?: number };
  /**
   * Synthetic source standing for variable `name` of a function enclosing `fn`, which `fn` reads
   * (its closure): bound, like a parameter, where `fn` is called (used to build summaries).
   */
  closure?: { fn: string; name: string };
  /** Who chooses the value: a remote client, or the program's caller (see SourceModel.trust). */
  trust: "remote" | "caller";
  /** Classes at whose sinks a whole value of this source counts as caller-chosen (SourceModel.callerFor). */
  callerFor?: readonly string[];
  /** Classes never reported for this source outside a task of the class (SourceModel.operatorFor). */
  operatorFor?: readonly string[];
  /** A parameter of the task's entry function (the task's own input). */
  entryParam?: boolean;
}

export interface Fact {
  src: number;
  /** Bit mask of vulnerability classes this value has been sanitized or validated for. */
  cleared: number;
  /** Steps after the source (assignments, calls), capped in length. */
  path: readonly FlowStep[];
}

export type Taint = readonly Fact[];

export const CLEAN: Taint = Object.freeze([]);
const MAX_PATH = 16;

export function union(a: Taint, b: Taint): Taint {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  let out: Fact[] | null = null;
  for (const f of b) {
    if (a.some((g) => g.src === f.src && g.cleared === f.cleared)) continue;
    if (out?.some((g) => g.src === f.src && g.cleared === f.cleared)) continue;
    (out ??= [...a]).push(f);
  }
  return out ?? a;
}

export function unionAll(list: Taint[]): Taint {
  let t: Taint = CLEAN;
  for (const x of list) t = union(t, x);
  return t;
}

export function withStep(t: Taint, step: FlowStep): Taint {
  if (t.length === 0) return t;
  return t.map((f) => {
    const last = f.path[f.path.length - 1];
    if (last && last.line === step.line && last.message === step.message) return f;
    const path = f.path.length >= MAX_PATH ? [...f.path.slice(0, 4), ...f.path.slice(f.path.length - (MAX_PATH - 5)), step] : [...f.path, step];
    return { src: f.src, cleared: f.cleared, path };
  });
}

export function clear(t: Taint, mask: number): Taint {
  if (t.length === 0 || mask === 0) return t;
  let out: Fact[] = [];
  for (const f of t) {
    const cleared = f.cleared | mask;
    if (out.some((g) => g.src === f.src && g.cleared === cleared)) continue;
    out.push(cleared === f.cleared ? f : { src: f.src, cleared, path: f.path });
  }
  // Facts cleared for everything carry no information any more, unless a decoder can bring the
  // value back (ENCODED_BIT).
  out = out.filter((f) => (f.cleared & ALL_CLASSES_MASK) !== ALL_CLASSES_MASK || (f.cleared & ENCODED_BIT) !== 0);
  return out;
}

/** The same facts with `bit` set (a mark such as EMBEDDED_BIT, monotone like the class bits). */
export function mark(t: Taint, bit: number): Taint {
  if (t.length === 0) return t;
  let changed = false;
  const out: Fact[] = [];
  for (const f of t) {
    if (f.cleared & bit) {
      if (!out.some((g) => g.src === f.src && g.cleared === f.cleared)) out.push(f);
      continue;
    }
    changed = true;
    const cleared = f.cleared | bit;
    if (!out.some((g) => g.src === f.src && g.cleared === cleared)) out.push({ src: f.src, cleared, path: f.path });
  }
  return changed ? out : t;
}

/** The facts that do not carry `bit`. */
export function withoutMarked(t: Taint, bit: number): Taint {
  if (t.length === 0 || !t.some((f) => f.cleared & bit)) return t;
  return t.filter((f) => !(f.cleared & bit));
}

export function sameTaint(a: Taint | undefined, b: Taint | undefined): boolean {
  const x = a ?? CLEAN;
  const y = b ?? CLEAN;
  if (x.length !== y.length) return false;
  return x.every((f) => y.some((g) => g.src === f.src && g.cleared === f.cleared));
}

/**
 * Variable name (or one-level access path `obj.attr`, a constant-key field `d["k"]`, or an
 * internal `@` key) to its taint.
 */
export type State = Map<string, Taint>;

/** The state key of field `key` of the dict held by `name`. */
export function fieldKey(name: string, key: string): string {
  return `${name}[${JSON.stringify(key)}]`;
}

/** For a field key `d["k"]`, the container's name `d`. */
function fieldContainer(key: string): string | null {
  const i = key.indexOf("[");
  return i > 0 && !key.startsWith("@") ? key.slice(0, i) : null;
}

/**
 * Joins `other` into `target`. A field known on one side only is, on the other side, whatever
 * its container holds (the field was never written separately there).
 */
export function joinInto(target: State, other: State): boolean {
  let changed = false;
  for (const [k, v] of other) {
    const cur = target.get(k);
    let next: Taint;
    if (cur) next = union(cur, v);
    else {
      const c = fieldContainer(k);
      next = c ? union(v, target.get(c) ?? CLEAN) : v;
    }
    if (!cur || next !== cur) {
      if (!sameTaint(cur, next)) changed = true;
      target.set(k, next);
    }
  }
  for (const [k, v] of target) {
    if (other.has(k)) continue;
    const c = fieldContainer(k);
    if (!c) continue;
    const next = union(v, other.get(c) ?? CLEAN);
    if (next !== v) {
      if (!sameTaint(v, next)) changed = true;
      target.set(k, next);
    }
  }
  return changed;
}

/** Forgets the fields of `name` (after it is rebound or mutated through an unknown key). */
export function dropFields(state: State, name: string): void {
  const prefix = `${name}[`;
  for (const k of state.keys()) if (k.startsWith(prefix)) state.delete(k);
}

export function sameState(a: State, b: State): boolean {
  for (const [k, v] of a) if (v.length && !sameTaint(v, b.get(k))) return false;
  for (const [k, v] of b) if (v.length && !sameTaint(v, a.get(k))) return false;
  return true;
}

/** Removes classes from the cleared masks (a value re-enters a context where it matters again). */
export function unclear(t: Taint, mask: number): Taint {
  if (t.length === 0 || mask === 0) return t;
  const out: Fact[] = [];
  for (const f of t) {
    const cleared = f.cleared & ~mask;
    if (out.some((g) => g.src === f.src && g.cleared === cleared)) continue;
    out.push(cleared === f.cleared ? f : { src: f.src, cleared, path: f.path });
  }
  return out;
}
