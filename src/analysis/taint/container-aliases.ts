/**
 * Names that may share a container, within one scope. `alias = rows` makes both names one list,
 * so `alias.append(data)` puts data into `rows` too; `row = table[0]` and `for row in table` make
 * `row` an element of `table`, so a store into `row` is a store into `table` (not the other way:
 * a store into `table` changes no element already read out). Without this, writing the untrusted
 * value through a second name hid it from every later read of the first.
 *
 *   new ContainerAliases(root).sharing(at, name) -> names a store into `name` (at `at`) also
 *   reaches, `name` excluded
 */
import type { SyntaxNode } from "../python/cfg.js";
import { unparen } from "./context.js";

const SCOPES = new Set(["function_definition", "lambda"]);
/** Calls that give back an element, or a view over the elements, of their receiver. */
const ELEMENT_METHODS = new Set(["get", "pop", "setdefault", "values", "items", "copy"]);

interface ScopeAliases {
  /** Names bound to one another by `a = b`: a store into any reaches all. */
  same: Map<string, Set<string>>;
  /** `row` -> containers it is an element of. */
  elementOf: Map<string, Set<string>>;
}

function scopeNode(n: SyntaxNode): SyntaxNode | null {
  for (let x = n.parent; x; x = x.parent) if (SCOPES.has(x.type)) return x;
  return null;
}


/** The container an expression reads an element of (`t[0]`, `t.get(k)`, `t.values()`), by name. */
function containerOf(value: SyntaxNode): string | null {
  let v = unparen(value);
  if (v.type === "call") {
    const fn = v.childForFieldName("function");
    if (fn?.type !== "attribute" || !ELEMENT_METHODS.has(fn.childForFieldName("attribute")?.text ?? "")) return null;
    v = unparen(fn.childForFieldName("object")!);
  } else if (v.type === "subscript") {
    v = unparen(v.childForFieldName("value")!);
  } else {
    return null;
  }
  while (v.type === "subscript") v = unparen(v.childForFieldName("value")!);
  return v.type === "identifier" ? v.text : null;
}

function link(map: Map<string, Set<string>>, from: string, to: string): void {
  let set = map.get(from);
  if (!set) map.set(from, (set = new Set()));
  set.add(to);
}

export class ContainerAliases {
  private readonly byScope = new Map<number, ScopeAliases>();
  private built = false;

  constructor(private readonly root: SyntaxNode) {}

  sharing(at: SyntaxNode, name: string): string[] {
    if (!this.built) this.build();
    const scope = this.byScope.get(scopeNode(at)?.id ?? -1);
    if (!scope) return [];
    // Names one `a = b` chain joins, then every container any of them is an element of, and so on.
    const seen = new Set([name]);
    const work = [name];
    while (work.length) {
      const n = work.pop()!;
      for (const next of [...(scope.same.get(n) ?? []), ...(scope.elementOf.get(n) ?? [])]) {
        if (!seen.has(next)) {
          seen.add(next);
          work.push(next);
        }
      }
    }
    seen.delete(name);
    return [...seen];
  }

  private scope(n: SyntaxNode): ScopeAliases {
    const id = scopeNode(n)?.id ?? -1;
    let s = this.byScope.get(id);
    if (!s) this.byScope.set(id, (s = { same: new Map(), elementOf: new Map() }));
    return s;
  }

  private build(): void {
    this.built = true;
    for (const n of this.root.descendantsOfType(["assignment", "for_statement", "for_in_clause"])) {
      const left = n.childForFieldName("left");
      const right = n.childForFieldName("right");
      if (!left || !right) continue;
      const l = unparen(left);
      const r = unparen(right);
      if (n.type === "assignment") {
        if (l.type !== "identifier") continue;
        if (r.type === "identifier") {
          const s = this.scope(n);
          link(s.same, l.text, r.text);
          link(s.same, r.text, l.text);
          continue;
        }
        const container = containerOf(r);
        if (container) link(this.scope(n).elementOf, l.text, container);
        continue;
      }
      // `for row in table` / `for k, row in table.items()`: each target is an element (or a key).
      const container = r.type === "identifier" ? r.text : containerOf(r);
      if (!container) continue;
      const targets = l.type === "identifier" ? [l] : l.descendantsOfType("identifier");
      // A comprehension's loop variable lives in the comprehension, which is not a scope here: it
      // is linked in the scope around it, the conservative side.
      for (const t of targets) link(this.scope(n).elementOf, t.text, container);
    }
  }
}
