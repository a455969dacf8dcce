/**
 * Python's name resolution over the tree-sitter tree, as much as the metamorphic rewrites need:
 * which scope (module, function, lambda, class body, comprehension) binds each identifier that is
 * a name reference, by the LEGB rules with `global`/`nonlocal` and the class-body exception.
 * Renaming by (scope, name) is then alpha-renaming: every reference that resolved to the binding
 * resolves to the renamed binding, and nothing else changes.
 */
import { isWithin, type SyntaxNode } from "../python/index.js";

export const FUNCTION_SCOPES = new Set(["function_definition", "lambda"]);
export const COMPREHENSIONS = new Set(["list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"]);
const SCOPE_TYPES = new Set(["module", "class_definition", ...FUNCTION_SCOPES, ...COMPREHENSIONS]);

export interface Scope {
  node: SyntaxNode;
  kind: "module" | "class" | "function" | "comprehension";
  /** Names bound here, with every identifier node that binds them. */
  bound: Map<string, SyntaxNode[]>;
  /** Names bound here by an import (renaming them would change the import statement). */
  imported: Set<string>;
  params: string[];
  globals: Set<string>;
  nonlocals: Set<string>;
  /** Code in the scope may read names by string (locals(), eval, exec, vars(), match patterns). */
  dynamic: boolean;
}

const TARGET_CONTAINERS = new Set(["pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "parenthesized_expression", "list_splat_pattern", "list_splat", "as_pattern_target"]);
const DYNAMIC_CALLS = new Set(["locals", "vars", "eval", "exec", "globals", "dir"]);

/** Identifiers a target binds (`a`, `a, (b, *c)`), not attributes or subscripts. */
export function targetNames(target: SyntaxNode | null, out: SyntaxNode[] = []): SyntaxNode[] {
  if (!target) return out;
  if (target.type === "identifier") out.push(target);
  else if (TARGET_CONTAINERS.has(target.type)) for (const c of target.namedChildren) targetNames(c, out);
  return out;
}

/** The identifier nodes a parameter list binds, in order. */
export function parameterNames(params: SyntaxNode | null): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const p of params?.namedChildren ?? []) {
    if (p.type === "identifier") out.push(p);
    else if (p.type === "default_parameter" || p.type === "typed_default_parameter") {
      const n = p.childForFieldName("name");
      if (n?.type === "identifier") out.push(n);
    } else if (p.type === "typed_parameter" || p.type === "list_splat_pattern" || p.type === "dictionary_splat_pattern") {
      const n = p.namedChildren.find((c) => c.type === "identifier" || c.type === "list_splat_pattern" || c.type === "dictionary_splat_pattern");
      if (n?.type === "identifier") out.push(n);
      else if (n) out.push(...parameterNames({ namedChildren: [n] } as unknown as SyntaxNode));
    }
  }
  return out;
}

/** Is `node` (reached from `child`) evaluated in the scope of `scope`, rather than the one around it? */
function belongsTo(scope: SyntaxNode, child: SyntaxNode, node: SyntaxNode): boolean {
  if (scope.type === "function_definition" || scope.type === "lambda") {
    if (child.field === "body") return true;
    if (child.field === "parameters") return parameterNames(child).some((p) => p.startIndex === node.startIndex && p.endIndex === node.endIndex);
    return false;
  }
  if (scope.type === "class_definition") return child.field === "body";
  if (COMPREHENSIONS.has(scope.type)) {
    // The first iterable is evaluated in the enclosing scope.
    const firstFor = scope.namedChildren.find((c) => c.type === "for_in_clause");
    return !(firstFor && child.startIndex === firstFor.startIndex && isWithin(node, firstFor.childForFieldName("right")));
  }
  return true;
}

export class Scopes {
  private readonly scopes = new Map<number, Scope>();
  readonly module: Scope;

  constructor(readonly root: SyntaxNode) {
    this.module = this.scopeOf(root);
  }

  /** The scope whose code evaluates `node` (an identifier's own scope). */
  enclosing(node: SyntaxNode): Scope {
    let child = node;
    for (let p = node.parent; p; child = p, p = p.parent) {
      if (SCOPE_TYPES.has(p.type) && belongsTo(p, child, node)) return this.scopeOf(p);
    }
    return this.module;
  }

  /** The scope a name reference at `node` resolves to, or null for a builtin / unbound name. */
  resolve(node: SyntaxNode, name = node.text): Scope | null {
    let scope: Scope | null = this.enclosing(node);
    let first = true;
    while (scope) {
      if (scope.globals.has(name)) return this.module.bound.has(name) ? this.module : null;
      const visible = first || scope.kind !== "class";
      if (visible && !scope.nonlocals.has(name) && scope.bound.has(name)) return scope;
      first = false;
      scope = scope.node.type === "module" ? null : this.enclosing(scope.node);
    }
    return null;
  }

  scopeOf(node: SyntaxNode): Scope {
    let s = this.scopes.get(node.id);
    if (!s) this.scopes.set(node.id, (s = this.build(node)));
    return s;
  }

  /** Every scope node in the module, outermost first. */
  allScopes(): Scope[] {
    const out: Scope[] = [this.module];
    for (const n of this.root.descendantsOfType([...SCOPE_TYPES])) if (n.type !== "module") out.push(this.scopeOf(n));
    return out;
  }

  private build(node: SyntaxNode): Scope {
    const kind = node.type === "module" ? "module" : node.type === "class_definition" ? "class" : COMPREHENSIONS.has(node.type) ? "comprehension" : "function";
    const scope: Scope = { node, kind, bound: new Map(), imported: new Set(), params: [], globals: new Set(), nonlocals: new Set(), dynamic: false };
    const bind = (id: SyntaxNode) => {
      const list = scope.bound.get(id.text);
      if (list) list.push(id);
      else scope.bound.set(id.text, [id]);
    };
    if (kind === "function") {
      const params = parameterNames(node.childForFieldName("parameters"));
      for (const p of params) bind(p);
      scope.params = params.map((p) => p.text);
    }
    const visit = (n: SyntaxNode): void => {
      switch (n.type) {
        case "assignment":
        case "augmented_assignment":
        case "for_statement":
        case "for_in_clause":
          for (const t of targetNames(n.childForFieldName("left"))) bind(t);
          break;
        case "named_expression": {
          const t = n.childForFieldName("name");
          if (t) bind(t);
          break;
        }
        case "as_pattern_target":
          for (const t of targetNames(n)) bind(t);
          break;
        case "delete_statement":
          for (const c of n.namedChildren) for (const t of targetNames(c.type === "expression_list" ? c : c)) bind(t);
          break;
        case "import_statement":
        case "import_from_statement":
          for (const name of n.childrenForFieldName("name")) {
            const alias = name.type === "aliased_import" ? name.childForFieldName("alias") : null;
            const bound = alias ?? (name.type === "aliased_import" ? name.childForFieldName("name") : name)?.namedChildren[0] ?? null;
            if (bound?.type === "identifier") {
              bind(bound);
              scope.imported.add(bound.text);
            }
          }
          break;
        case "global_statement":
          for (const c of n.namedChildren) if (c.type === "identifier") scope.globals.add(c.text);
          break;
        case "nonlocal_statement":
          for (const c of n.namedChildren) if (c.type === "identifier") scope.nonlocals.add(c.text);
          break;
        case "match_statement":
          scope.dynamic = true;
          break;
        case "call": {
          const f = n.childForFieldName("function");
          if (f?.type === "identifier" && DYNAMIC_CALLS.has(f.text)) scope.dynamic = true;
          break;
        }
      }
      for (const c of n.namedChildren) {
        if (c.type === "function_definition" || c.type === "class_definition") {
          const name = c.childForFieldName("name");
          if (name) bind(name);
          // Decorators live in decorated_definition (visited as ours); defaults, annotations and
          // base classes are evaluated here.
          for (const part of c.namedChildren) {
            if (part.field === "parameters") for (const prm of part.namedChildren) visitOuterParts(prm);
            else if (part.field === "superclasses" || part.field === "return_type") visit(part);
          }
        } else if (c.type === "lambda") {
          for (const prm of c.childForFieldName("parameters")?.namedChildren ?? []) visitOuterParts(prm);
        } else if (COMPREHENSIONS.has(c.type)) {
          const firstFor = c.namedChildren.find((x) => x.type === "for_in_clause");
          const right = firstFor?.childForFieldName("right");
          if (right) visit(right);
          // A walrus inside a comprehension binds in the enclosing function: Python's own rule.
          for (const w of c.descendantsOfType("named_expression")) {
            const t = w.childForFieldName("name");
            if (t) bind(t);
          }
        } else visit(c);
      }
    };
    const visitOuterParts = (prm: SyntaxNode) => {
      for (const part of prm.namedChildren) if (part.field === "value" || part.field === "type" || part.type === "type") visit(part);
    };
    if (kind === "function") {
      const body = node.childForFieldName("body");
      if (body) {
        if (node.type === "lambda") {
          if (!COMPREHENSIONS.has(body.type) && body.type !== "lambda") visit(body);
          else visit({ namedChildren: [body] } as unknown as SyntaxNode);
        } else visit(body);
      }
    } else if (kind === "class") {
      const body = node.childForFieldName("body");
      if (body) visit(body);
    } else if (kind === "comprehension") {
      for (const c of node.namedChildren) {
        if (c.type === "for_in_clause") for (const t of targetNames(c.childForFieldName("left"))) bind(t);
      }
      for (const c of node.descendantsOfType("call")) {
        const f = c.childForFieldName("function");
        if (f?.type === "identifier" && DYNAMIC_CALLS.has(f.text)) scope.dynamic = true;
      }
    } else visit(node);
    return scope;
  }
}

/**
 * Is this identifier a name reference (or binding), rather than an attribute name, a keyword
 * argument's name or part of an import's module path?
 */
export function isNameReference(id: SyntaxNode): boolean {
  const p = id.parent;
  if (!p) return false;
  if (p.type === "attribute" && id.field === "attribute") return false;
  if (p.type === "keyword_argument" && id.field === "name") return false;
  if (p.type === "dotted_name" || p.type === "aliased_import" || p.type === "import_from_statement" || p.type === "import_statement") return false;
  if (p.type === "keyword_pattern" || p.type === "class_pattern") return false;
  return true;
}

/** Every identifier the source uses, for choosing fresh names. */
export function identifiersIn(root: SyntaxNode): Set<string> {
  const out = new Set<string>();
  for (const id of root.descendantsOfType("identifier")) out.add(id.text);
  return out;
}

/** Fresh names `prefix1, prefix2, ...` that collide with no identifier of the module. */
export function freshNames(used: Set<string>, prefix: string): () => string {
  let i = 0;
  return () => {
    let name: string;
    do name = `${prefix}${++i}`;
    while (used.has(name));
    used.add(name);
    return name;
  };
}
