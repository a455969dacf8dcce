import type { SyntaxNode } from "./source.js";
import { nodeText } from "./source.js";
import { unparenthesize } from "./walk.js";

/** One name an import statement binds, in source order. */
export interface ImportBinding {
  /** Name bound in the importing scope: `sp` (import subprocess as sp), `system` (from os import system). */
  local: string;
  /** What the name stands for: `subprocess`, `os.system`, `os.path`. */
  target: string;
  /** The module part of the import: `os` for `from os import system`, `subprocess` for `import subprocess`. */
  module: string;
  /** Leading dots of a relative import (`from ..pkg import x` -> 2); 0 for absolute imports. */
  level: number;
  /** `as` was written. */
  aliased: boolean;
  /** The import statement. */
  statement: SyntaxNode;
  /** Start offset of the statement; a binding is visible to nodes that start after it. */
  index: number;
  /** The import sits inside a function or class body (Bandit still tracks it module-wide). */
  nested: boolean;
}

/** One `import` or `from ... import` statement, normalised. */
export interface ImportStatement {
  node: SyntaxNode;
  kind: "import" | "from";
  /** `from X import ...`: X without leading dots (null for `from . import x`); null for plain imports. */
  module: string | null;
  level: number;
  /** Each imported name with its `as` alias; `*` for wildcard imports. */
  names: { name: string; asname: string | null }[];
}

const IMPORT_TYPE_LIST = ["import_statement", "import_from_statement", "future_import_statement"];
const IMPORT_AND_SCOPE_TYPES = [...IMPORT_TYPE_LIST, "function_definition", "class_definition"];

/**
 * Module-wide import table with Bandit's alias rules (node_visitor.visit_Import / visit_ImportFrom):
 *  - `import a.b as c` binds c -> a.b; `import a.b` binds no alias (the chain `a.b.f` already resolves);
 *  - `from m import n as k` binds k -> m.n, `from m import n` binds n -> m.n;
 *  - relative imports drop their dots (`from .m import n` -> m.n), as Bandit does;
 *  - `from . import n as k` binds k -> n.
 * Bandit records aliases while it walks, so an alias only applies to code after the import; scoping is
 * ignored (an import inside a function applies to the rest of the module).
 */
export class ImportTable {
  readonly statements: ImportStatement[] = [];
  readonly bindings: ImportBinding[] = [];
  /** Every module or `module.name` imported anywhere, like Bandit's `context.imports`. */
  readonly imported = new Set<string>();
  private readonly byLocal = new Map<string, ImportBinding[]>();
  private readonly byNode = new Map<SyntaxNode, ImportStatement>();

  static build(root: SyntaxNode, source: string): ImportTable {
    const table = new ImportTable();
    // Every import statement spells the keyword `import`, so a module whose text lacks it has none
    // and needs no tree search. Otherwise one type search finds the imports together with the
    // defs and classes that tell nested imports apart (a walk over every statement list cost far
    // more on large files).
    if (!source.includes("import")) return table;
    const nodes = root.descendantsOfType(IMPORT_AND_SCOPE_TYPES);
    // Pre-order: a def or class encloses the nodes after it until its end offset.
    const openScopeEnds: number[] = [];
    for (const node of nodes) {
      const start = node.startIndex;
      while (openScopeEnds.length > 0 && openScopeEnds[openScopeEnds.length - 1]! <= start) openScopeEnds.pop();
      const type = node.type;
      if (type === "function_definition" || type === "class_definition") openScopeEnds.push(node.endIndex);
      else table.add(node, source, openScopeEnds.length > 0);
    }
    return table;
  }

  private add(node: SyntaxNode, source: string, nested: boolean): void {
    const stmt = readImportStatement(node, source);
    if (!stmt) return;
    this.statements.push(stmt);
    this.byNode.set(node, stmt);
    const bind = (local: string, target: string, module: string, aliased: boolean) => {
      const b: ImportBinding = { local, target, module, level: stmt.level, aliased, statement: node, index: node.startIndex, nested };
      this.bindings.push(b);
      const list = this.byLocal.get(local);
      if (list) list.push(b);
      else this.byLocal.set(local, [b]);
    };
    if (stmt.kind === "import" || stmt.module === null) {
      for (const { name, asname } of stmt.names) {
        if (asname) bind(asname, name, name, true);
        this.imported.add(name);
      }
      return;
    }
    for (const { name, asname } of stmt.names) {
      if (name === "*") {
        this.imported.add(`${stmt.module}.*`);
        continue;
      }
      bind(asname ?? name, `${stmt.module}.${name}`, stmt.module, asname !== null);
      this.imported.add(`${stmt.module}.${name}`);
    }
  }

  /** The normalised statement read for an import node of this module, if it was well-formed. */
  statementFor(node: SyntaxNode): ImportStatement | undefined {
    return this.byNode.get(node);
  }

  /** The binding of `local` in force at source offset `index` (the last import before it), if any. */
  lookup(local: string, index = Number.POSITIVE_INFINITY): ImportBinding | undefined {
    const list = this.byLocal.get(local);
    if (!list) return undefined;
    let found: ImportBinding | undefined;
    for (const b of list) {
      if (b.index < index) found = b;
      else break;
    }
    return found;
  }

  /**
   * Whether an import before offset `index` binds the local name `local`: `import os` and
   * `import os.path` bind `os`, `import m as x` and `from m import f [as x]` bind their names
   * (Bandit's alias map records only the last two).
   */
  bindsName(local: string, index = Number.POSITIVE_INFINITY): boolean {
    if (this.lookup(local, index)) return true;
    for (const stmt of this.statements) {
      if (stmt.node.startIndex >= index || stmt.kind === "from") continue;
      if (stmt.names.some((n) => n.asname === null && n.name.split(".")[0] === local)) return true;
    }
    return false;
  }

  /** Bandit's alias map lookup: the qualified target of `name` at offset `index`, or undefined. */
  resolve(name: string, index = Number.POSITIVE_INFINITY): string | undefined {
    return this.lookup(name, index)?.target;
  }

  /** Like Bandit's `context.is_module_imported_like`: some import contains `module`. */
  isImportedLike(module: string): boolean {
    for (const name of this.imported) if (name.includes(module)) return true;
    return false;
  }

  /** Like Bandit's `context.is_module_imported_exact`. */
  isImportedExact(module: string): boolean {
    return this.imported.has(module);
  }

  /**
   * Does some statement before offset `index` import `module` in any form: `import m`,
   * `import m as x`, `import m.sub`, `from m import f [as g]`, `from m.sub import f`, `from m import *`?
   * Unlike isImportedExact (Bandit's exact `import m` test) the spelling does not matter, so the
   * rules that need "this module is in use" hold under every import form.
   */
  importsModule(module: string, index = Number.POSITIVE_INFINITY): boolean {
    const within = (name: string | null) => name !== null && (name === module || name.startsWith(`${module}.`));
    for (const stmt of this.statements) {
      if (stmt.node.startIndex >= index) continue;
      if (stmt.kind === "from" ? stmt.level === 0 && within(stmt.module) : stmt.names.some((n) => within(n.name))) return true;
    }
    return false;
  }

  /**
   * What a bare name used at `index` refers to when no import binds it by name but a
   * `from m import *` before it may: `m.name`, from the last such import. Undefined otherwise
   * (callers check that the module does not define the name itself).
   */
  resolveStar(name: string, index = Number.POSITIVE_INFINITY): string | undefined {
    if (this.lookup(name, index)) return undefined;
    let found: string | undefined;
    for (const stmt of this.statements) {
      if (stmt.node.startIndex >= index) break;
      if (stmt.kind === "from" && stmt.level === 0 && stmt.module !== null && stmt.names.some((n) => n.name === "*")) found = `${stmt.module}.${name}`;
    }
    return found;
  }
}

function dotted(node: SyntaxNode, source: string): string {
  // dotted_name text may contain spaces or comments in odd code (`a . b`); rebuild from identifiers.
  if (node.type === "identifier") return nodeText(node, source);
  const parts: string[] = [];
  for (const c of node.namedChildren) if (c.type === "identifier") parts.push(nodeText(c, source));
  return parts.length > 0 ? parts.join(".") : nodeText(node, source);
}

/** Normalise one import node; null for a node that is not a well-formed import. */
export function readImportStatement(node: SyntaxNode, source: string): ImportStatement | null {
  const names: { name: string; asname: string | null }[] = [];
  const readName = (n: SyntaxNode) => {
    const target = unparenthesize(n);
    if (target.type === "aliased_import") {
      const nameNode = target.childForFieldName("name");
      const alias = target.childForFieldName("alias");
      if (nameNode) names.push({ name: dotted(nameNode, source), asname: alias ? nodeText(alias, source) : null });
    } else if (target.type === "dotted_name" || target.type === "identifier") {
      names.push({ name: dotted(target, source), asname: null });
    }
  };
  if (node.type === "import_statement") {
    for (const n of node.childrenForFieldName("name")) readName(n);
    return { node, kind: "import", module: null, level: 0, names };
  }
  if (node.type === "future_import_statement") {
    for (const n of node.childrenForFieldName("name")) readName(n);
    return { node, kind: "from", module: "__future__", level: 0, names };
  }
  if (node.type !== "import_from_statement") return null;
  const moduleNode = node.childForFieldName("module_name");
  if (!moduleNode) return null;
  let module: string | null;
  let level = 0;
  if (moduleNode.type === "relative_import") {
    const prefix = moduleNode.namedChildren.find((c) => c.type === "import_prefix");
    level = prefix ? nodeText(prefix, source).replace(/[^.]/g, "").length : 0;
    const inner = moduleNode.namedChildren.find((c) => c.type === "dotted_name");
    module = inner ? dotted(inner, source) : null;
  } else {
    module = dotted(moduleNode, source);
  }
  for (const n of node.childrenForFieldName("name")) readName(n);
  if (node.namedChildren.some((c) => c.type === "wildcard_import")) names.push({ name: "*", asname: null });
  return { node, kind: "from", module, level, names };
}
