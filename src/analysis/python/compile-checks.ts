import type { SyntaxNode } from "./source.js";
import type { InvalidForm } from "./py3-syntax.js";
import { isWithin } from "./walk.js";

/**
 * Errors CPython's `compile()` raises after its parser accepted the text (scope and context rules
 * of the compiler and symbol table), plus a few grammar rules tree-sitter does not enforce. Each
 * rule here is one that CPython always applies, so a report is never a false rejection; rules that
 * need full scope analysis ("no binding for nonlocal") are left out rather than approximated.
 * Every check runs only when a cheap text test says its form can occur.
 */

const COMPREHENSIONS = new Set(["list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"]);
const SCOPES = new Set(["function_definition", "lambda", "class_definition", "module"]);
const COMPREHENSION_NAMES = new Map([
  ["list_comprehension", "list comprehension"],
  ["set_comprehension", "set comprehension"],
  ["dictionary_comprehension", "dict comprehension"],
  ["generator_expression", "generator expression"],
]);

function isAsyncDef(fn: SyntaxNode): boolean {
  return fn.type === "function_definition" && fn.children.some((c) => !c.isNamed && c.type === "async");
}

/** The nearest enclosing function, lambda, class or module. */
function enclosingScopeOf(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) if (SCOPES.has(p.type)) return p;
  return null;
}

/**
 * The comprehension that evaluates `node` in its own scope, if any: everything in a comprehension
 * but the first `for` clause's iterable, which the enclosing scope evaluates.
 */
function comprehensionScopeOf(node: SyntaxNode): SyntaxNode | null {
  let child = node;
  for (let p = node.parent; p && !SCOPES.has(p.type); child = p, p = p.parent) {
    if (!COMPREHENSIONS.has(p.type)) continue;
    const firstClause = p.namedChildren.find((c) => c.type === "for_in_clause");
    if (firstClause && child === firstClause && child.childForFieldName("right") !== null && isWithin(node, firstClause.childForFieldName("right")!)) continue;
    return p;
  }
  return null;
}

/** `break`/`continue` must sit in a loop's body (not its else) within the same function or class. */
function inLoopBody(node: SyntaxNode): boolean {
  let child = node;
  for (let p = node.parent; p && !SCOPES.has(p.type); child = p, p = p.parent) {
    if ((p.type === "for_statement" || p.type === "while_statement") && child.type !== "else_clause" && child === p.childForFieldName("body")) return true;
  }
  return false;
}

function identifierName(n: SyntaxNode | null): string | null {
  return n && n.type === "identifier" ? n.text : null;
}

/** Parameter names of a def or lambda, splats included (`*a: T` and `**k` by their names). */
function parameterNames(params: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const p of params.namedChildren) {
    let n: SyntaxNode | null | undefined = p;
    if (n.type === "typed_parameter") n = n.namedChildren.find((c) => c.type !== "type");
    if (n && (n.type === "default_parameter" || n.type === "typed_default_parameter")) n = n.childForFieldName("name");
    if (n && (n.type === "list_splat_pattern" || n.type === "dictionary_splat_pattern")) n = n.namedChildren[0];
    if (n && n.type === "identifier") out.push(n);
  }
  return out;
}

const AUGMENTABLE = new Set(["identifier", "attribute", "subscript"]);
const TARGET_GROUPS = new Set(["pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list"]);
// Type lists are module constants: descendantsOfType caches its id set per list object.
const TARGET_GROUP_LIST = [...TARGET_GROUPS];
const LOOP_EXITS = ["break_statement", "continue_statement"];
const PARAMETER_LISTS = ["parameters", "lambda_parameters"];
const NUMBERS = ["integer", "float"];
const LITERALS = new Set(["integer", "float", "string", "concatenated_string", "true", "false", "none", "ellipsis"]);

export function compileErrors(root: SyntaxNode, source: string): InvalidForm[] {
  const out: InvalidForm[] = [];
  const report = (node: SyntaxNode, message: string) => out.push({ node, message });

  if (source.includes("return")) {
    for (const n of root.descendantsOfType("return_statement")) {
      if (enclosingScopeOf(n)?.type !== "function_definition") report(n, "'return' outside function");
    }
  }
  if (source.includes("yield")) {
    for (const n of root.descendantsOfType("yield")) {
      const scope = enclosingScopeOf(n);
      const comprehension = comprehensionScopeOf(n);
      if (comprehension) report(n, `'yield' inside ${COMPREHENSION_NAMES.get(comprehension.type)}`);
      else if (!scope || (scope.type !== "function_definition" && scope.type !== "lambda")) report(n, "'yield' outside function");
      else if (isAsyncDef(scope) && n.children.some((c) => !c.isNamed && c.type === "from")) report(n, "'yield from' inside async function");
    }
  }
  if (source.includes("await") || source.includes("async")) {
    for (const n of root.descendantsOfType("await")) {
      const scope = enclosingScopeOf(n);
      const comprehension = comprehensionScopeOf(n);
      // An await in a generator expression makes it an asynchronous generator, allowed anywhere.
      if (comprehension?.type === "generator_expression") continue;
      if (scope && isAsyncDef(scope)) continue;
      if (comprehension) report(n, "asynchronous comprehension outside of an asynchronous function");
      else report(n, scope?.type === "module" || scope?.type === "class_definition" ? "'await' outside function" : "'await' outside async function");
    }
    for (const clause of root.descendantsOfType("for_in_clause")) {
      if (!clause.children.some((c) => !c.isNamed && c.type === "async")) continue;
      const comprehension = clause.parent;
      if (!comprehension || comprehension.type === "generator_expression") continue;
      const scope = enclosingScopeOf(comprehension);
      if (!(scope && isAsyncDef(scope)) && comprehensionScopeOf(comprehension)?.type !== "generator_expression") {
        report(clause, "asynchronous comprehension outside of an asynchronous function");
      }
    }
  }
  if (source.includes("break") || source.includes("continue")) {
    for (const n of root.descendantsOfType(LOOP_EXITS)) {
      if (!inLoopBody(n)) report(n, n.type === "break_statement" ? "'break' outside loop" : "'continue' not properly in loop");
    }
  }
  if (source.includes("nonlocal")) {
    for (const n of root.descendantsOfType("nonlocal_statement")) if (enclosingScopeOf(n)?.type === "module") report(n, "nonlocal declaration not allowed at module level");
  }
  if (source.includes("__future__")) {
    // Only a docstring, comments and other future imports may come before a future import.
    let allowed = true;
    let first = true;
    for (const s of root.namedChildren) {
      if (s.type === "comment") continue;
      const docstring = first && s.type === "expression_statement" && s.namedChildCount === 1 && (s.namedChildren[0]!.type === "string" || s.namedChildren[0]!.type === "concatenated_string");
      first = false;
      if (s.type === "future_import_statement") {
        if (!allowed) report(s, "from __future__ imports must occur at the beginning of the file");
      } else if (!docstring) allowed = false;
    }
    for (const n of root.descendantsOfType("future_import_statement")) if (n.parent !== root) report(n, "from __future__ imports must occur at the beginning of the file");
  }
  if (source.includes("*")) {
    for (const n of root.descendantsOfType("wildcard_import")) {
      const scope = enclosingScopeOf(n);
      if (scope && scope.type !== "module") report(n, "import * only allowed at module level");
    }
    for (const n of root.descendantsOfType("parenthesized_expression")) {
      const inner = n.namedChildren.filter((c) => c.type !== "comment");
      if (inner.length === 1 && inner[0]!.type === "list_splat") report(inner[0]!, "cannot use starred expression here");
    }
  }
  for (const params of root.descendantsOfType(PARAMETER_LISTS)) {
    const seen = new Set<string>();
    for (const id of parameterNames(params)) {
      if (seen.has(id.text)) report(id, `duplicate argument '${id.text}' in function definition`);
      seen.add(id.text);
    }
  }
  if (source.includes("=")) {
    for (const args of root.descendantsOfType("argument_list")) {
      const seen = new Set<string>();
      for (const a of args.namedChildren) {
        if (a.type !== "keyword_argument") continue;
        const name = identifierName(a.childForFieldName("name"));
        if (name === null) continue;
        if (seen.has(name)) report(a, `keyword argument repeated: ${name}`);
        seen.add(name);
      }
    }
    for (const n of root.descendantsOfType("assignment")) {
      const left = n.childForFieldName("left");
      if (!left) continue;
      if (left.type === "list_splat_pattern") report(left, "starred assignment target must be in a list or tuple");
      for (const group of [left, ...left.descendantsOfType(TARGET_GROUP_LIST)]) {
        if (!TARGET_GROUPS.has(group.type)) continue;
        if (group.namedChildren.filter((c) => c.type === "list_splat_pattern" || c.type === "list_splat").length > 1) report(group, "multiple starred expressions in assignment");
      }
      if (identifierName(left) === "__debug__") report(left, "cannot assign to __debug__");
    }
    for (const n of root.descendantsOfType("augmented_assignment")) {
      const left = n.childForFieldName("left");
      if (left && !AUGMENTABLE.has(left.type)) report(left, `'${left.type}' is an illegal expression for augmented assignment`);
    }
  }
  if (source.includes(" as ")) {
    for (const n of root.descendantsOfType("as_pattern")) {
      const alias = n.childForFieldName("alias");
      const target = alias?.namedChildren[0] ?? alias;
      if (target && LITERALS.has(target.type)) report(target, "cannot assign to literal");
    }
  }
  if (source.includes("try")) {
    for (const n of root.descendantsOfType("try_statement")) {
      const clauses = n.namedChildren.filter((c) => c.type === "except_clause" || c.type === "except_group_clause");
      if (clauses.length === 0 && !n.namedChildren.some((c) => c.type === "finally_clause")) report(n, "expected 'except' or 'finally' block");
      // tree-sitter marks `except*` with an anonymous "*" token in an except_clause.
      const starred = clauses.map((c) => c.type === "except_group_clause" || c.children.some((t) => !t.isNamed && t.type === "*"));
      if (starred.includes(true) && starred.includes(false)) report(n, "cannot have both 'except' and 'except*' on the same 'try'");
      clauses.forEach((c, i) => {
        if (starred[i] && !c.namedChildren.some((t) => t.type !== "block" && t.type !== "comment")) report(c, "expected one or more exception types");
      });
    }
  }
  if (source.includes("!")) {
    for (const n of root.descendantsOfType("type_conversion")) if (!/^![sra]$/.test(n.text)) report(n, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
  }
  if (/[bB][rR]?["']|[rR][bB]["']/.test(source)) {
    for (const n of root.descendantsOfType("string_start")) {
      if (!/^[rR]?[bB][rR]?/.test(n.text)) continue;
      for (const c of n.parent?.namedChildren ?? []) if (c.type === "string_content" && /[^\x00-\x7f]/.test(c.text)) report(c, "bytes can only contain ASCII literal characters");
    }
  }
  if (source.includes("__debug__")) {
    for (const params of root.descendantsOfType(PARAMETER_LISTS)) for (const id of parameterNames(params)) if (id.text === "__debug__") report(id, "cannot assign to __debug__");
  }
  if (source.includes("_")) {
    for (const n of root.descendantsOfType(NUMBERS)) if (n.text.includes("_") && !validUnderscores(n.text)) report(n, "invalid decimal literal");
  }
  return out;
}

/** Underscores in a number only between two digits (or right after a 0x/0o/0b prefix). */
function validUnderscores(text: string): boolean {
  const prefixed = /^0[xXoObB]_?/.exec(text);
  const body = prefixed ? text.slice(prefixed[0].length) : text;
  const digit = prefixed ? /[0-9a-fA-F]/ : /[0-9]/;
  for (let i = body.indexOf("_"); i >= 0; i = body.indexOf("_", i + 1)) {
    if (i === 0 || !digit.test(body[i - 1]!) || !digit.test(body[i + 1] ?? "")) return false;
  }
  return true;
}
