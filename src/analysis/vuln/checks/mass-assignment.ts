/**
 * CWE-915: improperly controlled modification of object attributes (mass assignment).
 *
 * Caller-supplied mappings (derived from a parameter) copied wholesale into a record or object:
 * - `record.update(data)`, `obj.__dict__.update(data)`, `vars(obj).update(data)`;
 * - `record[k] = v` / `setattr(obj, k, v)` with `k` taken from iterating `data` (`data.items()`,
 *   `data`, `data.keys()`), unless a dominating allow-list test of `k` (`k in ALLOWED`,
 *   `k == "name"`) guards the write;
 * - `Model(**data)` where `Model` is a class defined in the module.
 * The target must outlive the call: a parameter (a record passed in), shared state or `self`.
 * A method that implements the same mutation on its own object (`def update(self, other):
 * self._data.update(other)`, a mapping class's `__setitem__`/`__ior__`) is delegation, not mass
 * assignment: the whole argument is the value the method exists to store, and its callers decide
 * what they pass. A whole-mapping update is accepted when a condition on another parameter (a privilege flag such as
 * `is_admin`) holds on the way to it; a per-key write needs the key allow-list.
 */
import type { Finding } from "../../finding.js";
import { guardsAt } from "./dominance.js";
import { callArgs, calleeObject, calleeTail, DefUse, namesIn, parameters, rootName, unwrap, ofTypes, type Node } from "./ast.js";
import { rootIsShared } from "./state.js";
import { defUseOf, finding, localsOf, parametersAreInput, paramsOf, targetFunctions, type CheckInput } from "./types.js";
import { comparisons } from "./values.js";

const NAME = "mass_assignment";

export function checkMassAssignment(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  // Its only source of untrusted data is a parameter.
  if (!parametersAreInput(input.context)) return out;
  const classes = new Set<string>();
  for (const n of ofTypes(input.module.root, ["class_definition"])) classes.add(n.childForFieldName("name")?.text ?? "");
  for (const fn of targetFunctions(input)) {
    const body = fn.childForFieldName("body");
    if (!body) continue;
    const params = new Set(paramsOf(input, fn).map((p) => p.name));
    if (params.size === 0) continue;
    const dictParams = new Set(parameters(fn).filter((p) => /^(dict|Dict|Mapping|MutableMapping|typing\.Dict)\b/.test(p.annotation ?? "")).map((p) => p.name));
    if (implementsMutation(fn)) continue;
    const du = defUseOf(input, fn);
    const fromParams = du.derivedFrom(params);
    const locals = localsOf(input, fn);
    const persistent = (target: Node) => {
      const root = rootName(target);
      return root !== null && (params.has(root) || rootIsShared(target, locals, du));
    };
    for (const n of ofTypes(body, ["call", "assignment"], { intoFunctions: false })) {
      if (n.type === "call") {
        const tail = calleeTail(n);
        const obj = calleeObject(n);
        const args = callArgs(n);
        if (tail === "update" && obj && args.positional.length === 1) {
          const data = args.positional[0]!;
          const target = unwrap(obj);
          const dictOf = target.type === "attribute" && target.childForFieldName("attribute")?.text === "__dict__";
          const varsOf = target.type === "call" && target.childForFieldName("function")?.text === "vars";
          if (!(dictOf || varsOf || persistent(target))) continue;
          if (!untrustedMapping(data, fromParams, du)) continue;
          if (privilegeGated(n, params, [target, data])) continue;
          out.push(finding(input, n, { cwe: 915, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `${target.text} is updated with every key of caller-supplied ${data.text}; copy only allow-listed fields` }));
          continue;
        }
        if (tail === "setattr" && n.childForFieldName("function")?.type === "identifier" && args.positional.length >= 3) {
          const [target, key] = args.positional;
          if (target && key && persistent(target) && keyFromMapping(key, du, fromParams, dictParams) && !keyAllowListed(n, key)) {
            out.push(finding(input, n, { cwe: 915, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `setattr() on ${target.text} with attribute names from caller data and no allow-list check` }));
          }
          continue;
        }
        const fnNode = n.childForFieldName("function");
        if (fnNode?.type === "identifier" && classes.has(fnNode.text)) {
          const splat = n.childForFieldName("arguments")?.namedChildren.find((a) => a.type === "dictionary_splat");
          const data = splat?.namedChildren[0];
          if (data && untrustedMapping(data, fromParams, du)) out.push(finding(input, n, { cwe: 915, name: NAME, severity: "MEDIUM", confidence: "LOW", text: `${fnNode.text}(**${data.text}) sets every field the caller supplies` }));
        }
      } else if (n.type === "assignment") {
        const left = n.childForFieldName("left");
        if (left?.type !== "subscript") continue;
        const container = left.childForFieldName("value");
        const key = left.childForFieldName("subscript");
        if (!container || !key || !persistent(container)) continue;
        if (!keyFromMapping(key, du, fromParams, dictParams)) continue;
        if (keyAllowListed(n, key)) continue;
        out.push(finding(input, n, { cwe: 915, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `${container.text}[${key.text}] is written for every key of caller data without an allow-list check of ${key.text}` }));
      }
    }
  }
  return out;
}

const MUTATION_METHODS = new Set(["update", "__setitem__", "__ior__", "__or__", "__setattr__", "setdefault", "merge", "extend", "__init_subclass__"]);

/** A method of a class whose own name is a mapping/attribute mutation: its writes are its contract. */
function implementsMutation(fn: Node): boolean {
  const inClass = fn.parent?.type === "block" && fn.parent.parent?.type === "class_definition";
  const decorated = fn.parent?.type === "decorated_definition" && fn.parent.parent?.type === "block" && fn.parent.parent.parent?.type === "class_definition";
  return (inClass || decorated) && MUTATION_METHODS.has(fn.childForFieldName("name")?.text ?? "");
}

/** Is the mapping caller data, not narrowed by a key-filtering comprehension? */
function untrustedMapping(data: Node, fromParams: Set<string>, du: DefUse): boolean {
  const d = unwrap(data);
  // A dict display names its keys in the code: an allow-list by construction (unless it splats).
  if (d.type === "dictionary") return d.namedChildren.some((c) => c.type === "dictionary_splat" && [...namesIn(c)].some((x) => fromParams.has(x)));
  if (d.type === "dictionary_comprehension") return comprehensionCopiesCallerKeys(d, fromParams);
  if (d.type === "identifier") {
    const values = du.assignedValues.get(d.text);
    if (values?.length && values.every((v) => unwrap(v).type === "dictionary_comprehension" && !comprehensionCopiesCallerKeys(unwrap(v), fromParams))) return false;
  }
  for (const x of namesIn(d)) if (fromParams.has(x)) return true;
  return false;
}

/** `{k: v for k, v in data.items()}` copies caller keys; with `if k in ALLOWED`, or iterating ALLOWED, it does not. */
function comprehensionCopiesCallerKeys(comp: Node, fromParams: Set<string>): boolean {
  if (comp.namedChildren.some((c) => c.type === "if_clause")) return false;
  return comp.namedChildren.some((c) => c.type === "for_in_clause" && [...namesIn(c.childForFieldName("right") ?? c)].some((x) => fromParams.has(x)));
}

/**
 * Is `key` a loop variable over the keys of a caller mapping (`for k, v in data.items()`,
 * `for k in data.keys()`, `for k in data` with `data: dict`)? Index loops (`range(len(xs))`) are not.
 */
function keyFromMapping(key: Node, du: DefUse, fromParams: Set<string>, dictParams: Set<string>): boolean {
  const k = unwrap(key);
  if (k.type !== "identifier") return false;
  for (const src of du.loopSources.get(k.text) ?? []) {
    const s = unwrap(src);
    if (s.type === "call" && ["items", "keys", "iteritems", "iterkeys"].includes(calleeTail(s))) {
      const obj = calleeObject(s);
      if (obj && [...namesIn(obj)].some((x) => fromParams.has(x))) return true;
    } else if (s.type === "identifier" && dictParams.has(s.text)) return true;
  }
  return false;
}

/** A dominating allow-list test of the key: `k in FIELDS` / `k == "x"` on the path taken. */
function keyAllowListed(n: Node, key: Node): boolean {
  for (const g of guardsAt(n)) {
    for (const cmp of comparisons(g.condition)) {
      if (unwrap(cmp.left).text !== unwrap(key).text) continue;
      if (((cmp.op === "in" || cmp.op === "==") && g.holds) || ((cmp.op === "not in" || cmp.op === "!=") && !g.holds)) return true;
    }
  }
  return false;
}

/** Does a condition on another parameter (a privilege flag or role) hold on the way to `n`? */
function privilegeGated(n: Node, params: Set<string>, exclude: Node[]): boolean {
  const excluded = new Set<string>();
  for (const e of exclude) for (const x of namesIn(e)) excluded.add(x);
  for (const g of guardsAt(n)) {
    const cond = unwrap(g.condition);
    const positive = cond.type === "not_operator" ? !g.holds : g.holds;
    if (!positive) continue;
    for (const x of namesIn(cond)) if (params.has(x) && !excluded.has(x)) return true;
  }
  return false;
}
