/**
 * "Can an outsider choose this value?" for checks whose risk depends on who controls the input
 * (polynomial ReDoS, unbounded reads). Under a task context the entry function's parameters are
 * attacker input; in a plain scan only the taint models' remote sources are (request objects,
 * standard input, sockets), found in the expression or in what its names were assigned from
 * inside the same function. Caller-chosen values (command line, environment, files the program
 * opens) are the program's own input, as in the taint engine's trust levels.
 */
import { SOURCES } from "../../taint/models/sources.js";
import { calleeTail, descendants, dottedName, enclosingFunction, namesIn, type Node } from "./ast.js";
import { defUseOf, paramsOf, parametersAreInput, type CheckInput } from "./types.js";

interface SourceSet {
  objects: string[];
  dotted: string[];
  methods: Set<string>;
}

function sourceSet(keep: (label: string) => boolean): SourceSet {
  const remote = SOURCES.filter((s) => s.trust === "remote" && keep(s.label));
  return {
    objects: remote.flatMap((s) => [...(s.objects ?? []), ...(s.callees ?? [])]),
    dotted: remote.flatMap((s) => s.dotted ?? []),
    methods: new Set(remote.flatMap((s) => s.methods ?? [])),
  };
}

const REMOTE = sourceSet(() => true);
/** Remote sources other than standard input: a peer over the network. */
const NETWORK = sourceSet((label) => label !== "standard input");

export interface UntrustedOptions {
  /** Only network peers count (not standard input): for checks where reading all of stdin is normal. */
  network?: boolean;
}

function qualified(node: Node, input: CheckInput): string | null {
  const dotted = dottedName(node);
  if (!dotted) return null;
  const [head, ...rest] = dotted.split(".");
  const resolved = input.aliases.get(head!);
  return resolved ? [resolved, ...rest].join(".") : dotted;
}

/** Does the expression itself read a remote source (no def-use)? */
export function readsRemoteSource(expr: Node, input: CheckInput, opts: UntrustedOptions = {}): boolean {
  const set = opts.network ? NETWORK : REMOTE;
  for (const n of descendants(expr)) {
    if (n.type === "call" && set.methods.has(calleeTail(n))) return true;
    if (n.type !== "identifier" && n.type !== "attribute") continue;
    const q = qualified(n, input);
    if (q && set.objects.some((o) => q === o || q.startsWith(`${o}.`))) return true;
    if (n.type === "attribute" && set.dotted.some((d) => n.text === d || n.text.endsWith(`.${d}`))) return true;
  }
  return false;
}

/**
 * Is `expr` (evaluated where it stands) derived from attacker input: a remote source, or, when
 * parameters are input (a task's entry function), a parameter?
 */
export function derivesFromUntrusted(expr: Node, input: CheckInput, opts: UntrustedOptions = {}): boolean {
  if (readsRemoteSource(expr, input, opts)) return true;
  const fn = enclosingFunction(expr);
  if (!fn) return false;
  const du = defUseOf(input, fn);
  const names = du.closure(namesIn(expr));
  if (parametersAreInput(input.context)) {
    for (const p of paramsOf(input, fn)) if (names.has(p.name)) return true;
  }
  for (const name of names) {
    for (const value of du.assignedValues.get(name) ?? []) if (readsRemoteSource(value, input, opts)) return true;
    for (const value of du.loopSources.get(name) ?? []) if (readsRemoteSource(value, input, opts)) return true;
  }
  return false;
}
