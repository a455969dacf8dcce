/**
 * Which code a call reaches, for the evaluator: the file's function or method (`calleeFunction`),
 * a method looked up by a constant name, an in-memory buffer, and the object a method runs on.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { unparen, type FunctionInfo } from "./context.js";
import { union, type State, type Taint } from "./facts.js";
import type { Program } from "./program.js";
import { MEMORY_BUFFERS } from "./value-rules.js";

/**
 * The file's function a call runs, and where its own arguments start (1 past an implicit `self`).
 * `method`: the method a callee that is not an attribute names on `receiver` (`getattr(self, "run")`,
 * `run = self.run`).
 */
export function calleeFunction(p: Program, fnU: SyntaxNode, receiver: SyntaxNode | null, method?: string | null): { fn: FunctionInfo; offset: number } | null {
  if (fnU.type === "identifier") {
    const f = p.byName.get(fnU.text);
    if (f && !p.isImported(fnU)) return { fn: f, offset: 0 };
    return p.callMethodOf(fnU) ?? (receiver && method ? methodOf(p, receiver, method) : null);
  }
  // `Runner()(cmd)`: the instance's `__call__`; `getattr(self, "run")(cmd)`: the method named.
  if (fnU.type === "call") return (receiver && method ? methodOf(p, receiver, method) : null) ?? p.callMethodOf(fnU);
  // `(lambda f: f(cmd))(os.system)`: the lambda itself.
  if (fnU.type === "lambda") {
    const f = p.byNode.get(fnU.id);
    return f ? { fn: f, offset: 0 } : null;
  }
  if (fnU.type === "attribute" && receiver) return methodOf(p, receiver, fnU.childForFieldName("attribute")!.text);
  return null;
}

function methodOf(p: Program, receiver: SyntaxNode, name: string): { fn: FunctionInfo; offset: number } | null {
  const known = p.methodCalled(receiver, name);
  if (known) return known;
  // `self.m()` in a class the file defines is that class's or its file bases' method, found
  // above, or else one it inherits from elsewhere (`dict.get`), never another class's.
  const f = p.inKnownClass(receiver) ? undefined : p.byName.get(name);
  return f && f.isMethod && (receiver.text === "self" || receiver.text === "cls") ? { fn: f, offset: 1 } : null;
}

/** `getattr(obj, "name")` with a constant name: the receiver and the method it names. */
export function methodByName(p: Program, call: SyntaxNode, fn: FunctionInfo | null): { receiver: SyntaxNode; method: string } | null {
  const callee = call.childForFieldName("function");
  if (!callee || p.qname(unparen(callee)) !== "getattr") return null;
  const a = p.args(call);
  if (a.positional.length !== 2 || a.keywords.size > 0 || a.hasStarArgs || a.hasStarStarKwargs) return null;
  const name = p.constants.constantString(a.positional[1]!, fn);
  return name !== null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? { receiver: unparen(a.positional[0]!), method: name } : null;
}

/**
 * `run = cur.execute` then `run(q)`: a name bound to a method of an object of the program (not of a
 * module, which qname resolves as a function): the receiver and the method.
 */
export function boundMethod(p: Program, id: SyntaxNode, fn: FunctionInfo | null): { receiver: SyntaxNode; method: string } | null {
  const bound = p.resolveAssigned(id, fn);
  const attr = bound ? unparen(bound) : null;
  if (attr?.type !== "attribute") return null;
  const receiver = unparen(attr.childForFieldName("object")!);
  const method = attr.childForFieldName("attribute")?.text;
  return method && (receiver.type !== "identifier" || (p.qname(receiver) === receiver.text && !p.isImported(receiver))) ? { receiver, method } : null;
}

/** A name bound to `io.StringIO()`/`io.BytesIO()`: writing to it keeps the text in memory. */
export function isMemoryBuffer(p: Program, receiver: SyntaxNode, fn: FunctionInfo | null): boolean {
  const r = unparen(receiver);
  const made = r.type === "identifier" ? p.resolveAssigned(r, fn) : r;
  const call = made ? unparen(made) : null;
  if (call?.type !== "call") return false;
  const q = p.qname(call.childForFieldName("function")!);
  return q !== null && MEMORY_BUFFERS.has(q);
}

/**
 * An object's taint with what its known fields hold (`job.cmd = x` then `job.run()`). Not for
 * `self`: its fields are the method's own state, and one field's taint is not another's (a
 * password cached on `self` is not the path a later `self.open()` reads).
 */
export function objectTaint(receiver: SyntaxNode, own: Taint, state: State): Taint {
  const r = unparen(receiver);
  if (r.type !== "identifier" || r.text === "self" || r.text === "cls") return own;
  const prefix = `${r.text}.`;
  let t = own;
  for (const [k, v] of state) if (k.startsWith(prefix)) t = union(t, v);
  return t;
}
