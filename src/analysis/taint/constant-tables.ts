/**
 * Tables of constants: a variable that holds a container of constants whatever happens, so that an
 * element read from it, by any key, is one of those constants (`ALLOWED[column]`, an allow-list).
 *
 * A variable qualifies, in the scope that binds it, when every use of it in the file is one of:
 * - a binding `T = <display of constants>` (`{}` included);
 * - a store of a constant, `T[k] = "x"` or `T[k] = NAME` where NAME is only ever bound to a
 *   constant, or a mutating method called with constants only (`T.add("x")`);
 * - a read that cannot hand the object on: a lookup (`T[k]`, `T.get(k)`), a membership test, a
 *   read-only method, and, when no element is itself a mutable container, iteration and copies.
 * Why each use and not only the bindings: the object is shared, so `A = T; A[k] = data`,
 * `fill(T)` or `T[0].append(data)` change what `T[k]` gives without naming `T` in a store.
 * Any other binding (a parameter, a loop target, `global`, `del`...) disqualifies the scope.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { unparen } from "./context.js";

const FUNCTION_SCOPES = new Set(["function_definition", "lambda"]);
const DISPLAYS = new Set(["dictionary", "list", "tuple", "set"]);
const MUTABLE_DISPLAYS = new Set(["dictionary", "list", "set"]);
const MUTATING_METHODS = new Set(["append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "clear", "remove", "discard", "appendleft", "extendleft", "__setitem__", "sort", "reverse"]);
/** Methods that read a container and give back no part of it that could be a container. */
const READ_METHODS = new Set(["keys", "index", "count", "__contains__", "__len__"]);
/** Methods that give back elements, or a shallow copy sharing them: safe while no element is mutable. */
const ELEMENT_METHODS = new Set(["get", "values", "items", "copy", "pop", "popitem", "setdefault"]);
/** Builtins whose result holds no element of their argument. */
const SCALAR_BUILTINS = new Set(["len", "isinstance", "bool", "str", "repr", "print", "any", "all", "hash", "id", "type"]);
/** Builtins whose result may hold the argument's elements (a copy, an iterator, one element). */
const ELEMENT_BUILTINS = new Set(["sorted", "list", "tuple", "set", "frozenset", "min", "max", "sum", "enumerate", "reversed", "iter", "zip", "dict", "next"]);
const PARAMETER_PARENTS = new Set(["parameters", "lambda_parameters", "typed_parameter", "list_splat_pattern", "dictionary_splat_pattern"]);
const OTHER_BINDING_PARENTS = new Set(["pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target", "global_statement", "nonlocal_statement", "dotted_name", "aliased_import", "delete_statement", "case_pattern", "keyword_pattern", "splat_pattern"]);

type Use = "assign" | "param" | "other" | "read" | "none";

/** What an identifier occurrence does with the variable of its name. */
function useOf(id: SyntaxNode): Use {
  const p = id.parent;
  if (!p) return "none";
  const f = id.field;
  if (p.type === "attribute" && f === "attribute") return "none";
  if (p.type === "keyword_argument" && f === "name") return "none";
  if (p.type === "assignment" && f === "left") return "assign";
  if ((p.type === "function_definition" || p.type === "class_definition") && f === "name") return "other";
  if ((p.type === "augmented_assignment" && f === "left") || (p.type === "named_expression" && f === "name")) return "other";
  if ((p.type === "for_statement" || p.type === "for_in_clause") && f === "left") return "other";
  if ((p.type === "default_parameter" || p.type === "typed_default_parameter") && f === "name") return "param";
  if (PARAMETER_PARENTS.has(p.type) && (p.type !== "typed_parameter" || f !== "type")) return p.type === "list_splat_pattern" || p.type === "dictionary_splat_pattern" ? (PARAMETER_PARENTS.has(p.parent?.type ?? "") ? "param" : "other") : "param";
  if (OTHER_BINDING_PARENTS.has(p.type)) return "other";
  return "read";
}

/**
 * The scope whose variable an occurrence names: the innermost function that binds the name, else
 * the module (-1). Default values and a def's own name belong to the enclosing scope.
 */
function scopeOf(id: SyntaxNode, use: Use, bindingScopes: ReadonlySet<number> | null): number {
  let x: SyntaxNode = id;
  if (use === "param") {
    while (x.parent && !FUNCTION_SCOPES.has(x.parent.type)) x = x.parent;
    return x.parent ? x.parent.id : -1;
  }
  for (; x.parent; x = x.parent) {
    const p = x.parent;
    if (!FUNCTION_SCOPES.has(p.type) || x.field === "parameters" || x.field === "name") continue;
    if (bindingScopes === null || bindingScopes.has(p.id)) return p.id;
  }
  return -1;
}

function innermostValue(assignment: SyntaxNode): SyntaxNode | null {
  let right = assignment.childForFieldName("right");
  while (right?.type === "assignment") right = right.childForFieldName("right");
  return right ? unparen(right) : null;
}


export class ConstantTables {
  private occurrences: Map<string, SyntaxNode[]> | null = null;
  private readonly verdicts = new Map<string, { byScope: Map<number, boolean>; scopes: ReadonlySet<number> }>();
  private readonly constantNames = new Map<string, boolean>();

  constructor(private readonly root: SyntaxNode) {}

  /** Whether the identifier `id` (a read) names a table of constants in its scope. */
  holds(id: SyntaxNode): boolean {
    let known = this.verdicts.get(id.text);
    if (!known) {
      const byScope = this.judge(id.text);
      this.verdicts.set(id.text, (known = { byScope, scopes: new Set(byScope.keys()) }));
    }
    return known.byScope.get(scopeOf(id, "read", known.scopes)) === true;
  }

  private uses(name: string): SyntaxNode[] {
    if (!this.occurrences) {
      this.occurrences = new Map();
      for (const id of this.root.descendantsOfType("identifier")) {
        const list = this.occurrences.get(id.text);
        if (list) list.push(id);
        else this.occurrences.set(id.text, [id]);
      }
    }
    return this.occurrences.get(name) ?? [];
  }

  /** Per scope that binds `name`: whether it is a table of constants there. */
  private judge(name: string): Map<number, boolean> {
    const occurrences = this.uses(name).map((id) => ({ id, use: useOf(id) })).filter((o) => o.use !== "none");
    // `global T` or `nonlocal T` lets a function rebind another scope's T: no scope is judged alone.
    if (occurrences.some((o) => o.id.parent!.type === "global_statement" || o.id.parent!.type === "nonlocal_statement")) return new Map([[-1, false]]);
    const bindingScopes = new Set<number>();
    for (const o of occurrences) if (o.use !== "read") bindingScopes.add(scopeOf(o.id, o.use, null));
    const verdict = new Map<number, boolean>([...bindingScopes].map((s) => [s, true]));
    const nested = new Set<number>();
    const byScope = occurrences.map((o) => ({ ...o, scope: o.use === "read" ? scopeOf(o.id, "read", bindingScopes) : scopeOf(o.id, o.use, null) }));
    // Stores decide whether elements may be containers, and reads depend on that: stores first.
    for (const o of byScope) {
      if (o.use === "read") continue;
      const value = o.use === "assign" ? innermostValue(o.id.parent!) : null;
      if (!value || !DISPLAYS.has(value.type) || !this.isConstant(value, 0)) verdict.set(o.scope, false);
      else if (value.namedChildren.some((c) => this.holdsMutable(c))) nested.add(o.scope);
    }
    for (const o of byScope) if (o.use === "read" && verdict.get(o.scope) && this.storesMutable(o.id)) nested.add(o.scope);
    for (const o of byScope) {
      if (o.use !== "read" || !verdict.get(o.scope)) continue;
      if (!this.readIsSafe(o.id, nested.has(o.scope))) verdict.set(o.scope, false);
    }
    if (!verdict.has(-1)) verdict.set(-1, false);
    return verdict;
  }

  /** `T[k] = ["x"]` and `T.append(["x"])` put a mutable container in the table. */
  private storesMutable(id: SyntaxNode): boolean {
    const p = id.parent!;
    if (p.type === "subscript" && p.parent?.type === "assignment" && p.field === "left") {
      const value = innermostValue(p.parent);
      return !!value && this.holdsMutable(value);
    }
    const call = p.type === "attribute" ? p.parent : null;
    if (call?.type === "call" && p.field === "function") return this.argumentsOf(call).some((a) => this.holdsMutable(a));
    return false;
  }

  /** Whether a read of the table (`id`) can neither change it nor hand on an object that can. */
  private readIsSafe(id: SyntaxNode, nestedMutable: boolean): boolean {
    const p = id.parent!;
    if (p.type === "subscript" && id.field === "value") return this.elementUseIsSafe(p, nestedMutable);
    if (p.type === "attribute" && id.field === "object") {
      const call = p.parent;
      if (call?.type !== "call" || p.field !== "function") return false;
      const method = p.childForFieldName("attribute")?.text ?? "";
      const constantArgs = this.argumentsOf(call).every((a) => this.isConstant(a, 0));
      if (READ_METHODS.has(method)) return true;
      if (MUTATING_METHODS.has(method) && !constantArgs) return false;
      if (ELEMENT_METHODS.has(method) || MUTATING_METHODS.has(method)) return !nestedMutable || this.resultStaysPut(call);
      return false;
    }
    if (p.type === "comparison_operator") return true;
    if ((p.type === "for_statement" || p.type === "for_in_clause") && id.field === "right") return !nestedMutable;
    if (p.type === "argument_list") {
      const callee = p.parent?.childForFieldName("function");
      if (callee?.type === "identifier" && SCALAR_BUILTINS.has(callee.text)) return true;
      if (callee?.type === "attribute" && callee.childForFieldName("attribute")?.text === "join") return true;
      return callee?.type === "identifier" && ELEMENT_BUILTINS.has(callee.text) && !nestedMutable;
    }
    return false;
  }

  /** `T[k]...`: a store must be of a constant; a load is safe unless it hands on a mutable element. */
  private elementUseIsSafe(subscript: SyntaxNode, nestedMutable: boolean): boolean {
    let top = subscript;
    while (top.parent?.type === "subscript" && top.field === "value") top = top.parent;
    const p = top.parent;
    if (p?.type === "assignment" && top.field === "left") {
      const value = innermostValue(p);
      return !!value && this.isConstant(value, 0);
    }
    if (p?.type === "augmented_assignment" && top.field === "left") return false;
    if (p?.type === "delete_statement") return true;
    if (p && OTHER_BINDING_PARENTS.has(p.type)) return false;
    return !nestedMutable || this.resultStaysPut(top);
  }

  /** Whether a value read out of the table (`expr`) is only looked at, never kept or changed. */
  private resultStaysPut(expr: SyntaxNode): boolean {
    const p = expr.parent;
    if (!p) return false;
    switch (p.type) {
      case "comparison_operator":
      case "not_operator":
      case "interpolation":
        return true;
      case "subscript":
        return expr.field === "value" && this.resultStaysPut(p);
      case "for_statement":
      case "for_in_clause":
        return expr.field === "right";
      case "argument_list": {
        const callee = p.parent?.childForFieldName("function");
        if (callee?.type === "identifier") return SCALAR_BUILTINS.has(callee.text);
        return callee?.type === "attribute" && callee.childForFieldName("attribute")?.text === "join";
      }
      case "attribute": {
        const method = p.childForFieldName("attribute")?.text ?? "";
        return p.parent?.type === "call" && p.field === "function" && READ_METHODS.has(method);
      }
      default:
        return false;
    }
  }

  private argumentsOf(call: SyntaxNode): SyntaxNode[] {
    return (call.childForFieldName("arguments")?.namedChildren ?? []).filter((a) => a.type !== "comment").map((a) => (a.type === "keyword_argument" ? (a.childForFieldName("value") ?? a) : a));
  }

  private holdsMutable(n: SyntaxNode): boolean {
    const u = unparen(n);
    if (MUTABLE_DISPLAYS.has(u.type)) return true;
    return u.namedChildren.some((c) => c.type !== "comment" && this.holdsMutable(c));
  }

  /** A literal of constants, or a name the file only ever binds to one (`Single = r"..."`). */
  private isConstant(n: SyntaxNode, depth: number): boolean {
    if (depth > 16) return false;
    const u = unparen(n);
    switch (u.type) {
      case "string":
        return !u.namedChildren.some((c) => c.type === "interpolation");
      case "integer":
      case "float":
      case "true":
      case "false":
      case "none":
        return true;
      case "identifier":
        return this.isConstantName(u.text);
      case "concatenated_string":
      case "unary_operator":
      case "pair":
      case "dictionary":
      case "list":
      case "tuple":
      case "set":
        return u.namedChildren.every((c) => c.type === "comment" || this.isConstant(c, depth + 1));
      default:
        return false;
    }
  }

  private isConstantName(name: string): boolean {
    let known = this.constantNames.get(name);
    if (known === undefined) {
      // Assumed not while deciding, so `A = B` / `B = A` cycles end.
      this.constantNames.set(name, false);
      const uses = this.uses(name).map((id) => ({ id, use: useOf(id) }));
      known = uses.some((o) => o.use === "assign") && uses.every((o) => o.use === "read" || o.use === "none" || (o.use === "assign" && this.isScalarConstant(innermostValue(o.id.parent!))));
      this.constantNames.set(name, known);
    }
    return known;
  }

  private isScalarConstant(n: SyntaxNode | null): boolean {
    return !!n && !DISPLAYS.has(n.type) && this.isConstant(n, 1);
  }
}
