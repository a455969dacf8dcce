/**
 * SSA over a Cfg's local variables: which names each element defines, phi placement on the
 * iterated dominance frontier (Cytron et al.), and renaming, so every use of a local name maps to
 * the one definition (or phi) that reaches it.
 *
 * Variables are plain names. Attributes and subscripts are not SSA variables: `obj.attr = v` and
 * `obj[k] = v` count as a (weak) definition of `obj` itself, i.e. the container/object is one
 * abstract value (field-insensitive). The taint engine layers an access-path-limited view
 * (`self.x` one level deep, constant-key fields `d["k"]`) on top of this, and its binder
 * (src/analysis/taint/program.ts) resolves each use to the definition that reaches it here.
 */
import type { Cfg, CfgElement, SyntaxNode } from "./cfg.js";
import { dominanceFrontiers, dominators, type DominatorTree } from "./dominators.js";

/** Identifiers bound by an assignment target (names, tuple/list unpacking, starred). */
export function targetNames(target: SyntaxNode | null, out: string[] = []): string[] {
  if (!target) return out;
  const stack: SyntaxNode[] = [target];
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.type) {
      case "identifier":
        out.push(n.text);
        break;
      case "pattern_list":
      case "tuple_pattern":
      case "list_pattern":
      case "tuple":
      case "list":
      case "list_splat_pattern":
      case "parenthesized_expression":
      case "as_pattern_target":
        for (const c of n.namedChildren) stack.push(c);
        break;
      case "attribute":
      case "subscript": {
        // Weak update of the base object (field-insensitive).
        let base: SyntaxNode | null = n;
        while (base && (base.type === "attribute" || base.type === "subscript")) base = base.namedChildren[0] ?? null;
        if (base?.type === "identifier") out.push(base.text);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Names an element defines (strong definitions of locals, weak ones of mutated objects). */
export function elementDefs(el: CfgElement): string[] {
  const n = el.node;
  const out: string[] = [];
  switch (el.kind) {
    case "for-bind":
      return targetNames(n.childForFieldName("left"));
    case "with-bind": {
      const value = n.childForFieldName("value");
      if (value?.type === "as_pattern") targetNames(value.childForFieldName("alias"), out);
      return out;
    }
    case "except-bind": {
      const value = n.childForFieldName("value");
      if (value?.type === "as_pattern") targetNames(value.childForFieldName("alias"), out);
      return out;
    }
    case "def": {
      const name = n.childForFieldName("name");
      return name ? [name.text] : [];
    }
    case "case": {
      for (const p of n.namedChildren) if (p.type === "case_pattern") collectCaptures(p, out);
      return out;
    }
    default:
      break;
  }
  // Statements: assignments (chained), augmented assignments, imports, walrus anywhere.
  const stack: SyntaxNode[] = [n];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "assignment" || x.type === "augmented_assignment") {
      targetNames(x.childForFieldName("left"), out);
      const right = x.childForFieldName("right");
      if (right) stack.push(right);
      continue;
    }
    if (x.type === "named_expression") {
      const name = x.childForFieldName("name");
      if (name) out.push(name.text);
    }
    if (x.type === "import_statement" || x.type === "import_from_statement") {
      for (const c of x.namedChildren) {
        if (x.type === "import_from_statement" && c === x.childForFieldName("module_name")) continue;
        if (c.type === "aliased_import") {
          const alias = c.childForFieldName("alias");
          if (alias) out.push(alias.text);
        } else if (c.type === "dotted_name") out.push(c.namedChildren[0]?.text ?? c.text);
      }
      continue;
    }
    if (x.type === "lambda" || x.type === "function_definition" || x.type === "class_definition") continue;
    for (const c of x.namedChildren) stack.push(c);
  }
  return out;
}

function collectCaptures(p: SyntaxNode, out: string[]): void {
  const stack: SyntaxNode[] = [p];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "dotted_name" && x.namedChildCount === 1 && x.parent?.type === "case_pattern") {
      const name = x.text;
      if (name !== "_") out.push(name);
      continue;
    }
    if (x.type === "identifier" && x.parent?.type === "as_pattern") out.push(x.text);
    for (const c of x.namedChildren) stack.push(c);
  }
}

export interface SsaDef {
  /** Variable name and its version (`x#2`); version 0 is the value on entry (parameter or global). */
  name: string;
  version: number;
  /** Block holding the definition; for a phi, its block. */
  block: number;
  /** Element index in the block, or -1 for a phi. */
  index: number;
}

export interface Phi {
  name: string;
  version: number;
  block: number;
  /** Incoming version per predecessor edge, in the order of the block's preds. */
  incoming: { from: number; version: number }[];
}

export interface SsaForm {
  dom: DominatorTree;
  /** Phis per block. */
  phis: Map<number, Phi[]>;
  /** Definitions per element: key `${block}:${index}`. */
  defs: Map<string, SsaDef[]>;
  /** For each identifier use (by its start index in the source), the version it reads. */
  uses: Map<number, { name: string; version: number }>;
}

/** Identifier uses in an expression or statement, excluding assignment targets and nested scopes. */
function identifierUses(el: CfgElement): SyntaxNode[] {
  const roots: SyntaxNode[] = [];
  const n = el.node;
  if (el.kind === "for-iter") {
    const right = n.childForFieldName("right");
    if (right) roots.push(right);
  } else if (el.kind === "for-bind" || el.kind === "def" || el.kind === "except-bind" || el.kind === "case") {
    return [];
  } else if (el.kind === "with-bind") {
    const value = n.childForFieldName("value");
    roots.push(value?.type === "as_pattern" ? value.namedChildren[0]! : n);
  } else roots.push(n);
  const out: SyntaxNode[] = [];
  const stack = [...roots];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "identifier") {
      const parent = x.parent;
      const isTarget =
        parent &&
        ((parent.type === "assignment" && parent.childForFieldName("left")?.id === x.id) ||
          (parent.type === "attribute" && parent.childForFieldName("attribute")?.id === x.id) ||
          parent.type === "keyword_argument" && parent.childForFieldName("name")?.id === x.id);
      if (!isTarget) out.push(x);
      continue;
    }
    if (x.type === "lambda" || x.type === "function_definition" || x.type === "class_definition") continue;
    if (x.type === "assignment") {
      // Targets like `a[i] = v` still read `a` and `i`; plain names are not uses.
      const left = x.childForFieldName("left");
      if (left && left.type !== "identifier" && left.type !== "pattern_list") stack.push(left);
      const right = x.childForFieldName("right");
      if (right) stack.push(right);
      continue;
    }
    for (const c of x.namedChildren) stack.push(c);
  }
  return out;
}

/** Builds SSA form for a function or module graph. */
export function buildSsa(cfg: Cfg): SsaForm {
  const dom = dominators(cfg);
  const df = dominanceFrontiers(cfg, dom);
  const defBlocks = new Map<string, Set<number>>();
  for (const b of cfg.blocks) {
    if (dom.idom[b.id] === -1) continue;
    for (const el of b.elements)
      for (const name of elementDefs(el)) {
        let set = defBlocks.get(name);
        if (!set) defBlocks.set(name, (set = new Set()));
        set.add(b.id);
      }
  }
  // Phi placement on the iterated dominance frontier of each variable's definition blocks.
  const phiNames = new Map<number, Set<string>>();
  for (const [name, blocks] of defBlocks) {
    const work = [...blocks];
    const placed = new Set<number>();
    while (work.length) {
      const b = work.pop()!;
      for (const f of df[b]!) {
        if (placed.has(f)) continue;
        placed.add(f);
        let set = phiNames.get(f);
        if (!set) phiNames.set(f, (set = new Set()));
        set.add(name);
        if (!blocks.has(f)) work.push(f);
      }
    }
  }
  // Renaming over the dominator tree (explicit stack).
  const children = cfg.blocks.map(() => [] as number[]);
  for (const b of cfg.blocks) {
    const d = dom.idom[b.id]!;
    if (d !== -1 && b.id !== dom.root) children[d]!.push(b.id);
  }
  const counters = new Map<string, number>();
  const current = new Map<string, number[]>();
  const top = (name: string): number => {
    const s = current.get(name);
    return s && s.length ? s[s.length - 1]! : 0;
  };
  const push = (name: string): number => {
    const v = (counters.get(name) ?? 0) + 1;
    counters.set(name, v);
    let s = current.get(name);
    if (!s) current.set(name, (s = []));
    s.push(v);
    return v;
  };
  const phis = new Map<number, Phi[]>();
  for (const [block, names] of phiNames)
    phis.set(
      block,
      [...names].map((name) => ({ name, version: 0, block, incoming: [] })),
    );
  const defs = new Map<string, SsaDef[]>();
  const uses = new Map<number, { name: string; version: number }>();
  type Frame = { block: number; pushed: string[]; phase: 0 | 1 };
  const stack: Frame[] = [{ block: dom.root, pushed: [], phase: 0 }];
  while (stack.length) {
    const frame = stack[stack.length - 1]!;
    if (frame.phase === 1) {
      for (const name of frame.pushed) current.get(name)!.pop();
      stack.pop();
      continue;
    }
    frame.phase = 1;
    const b = frame.block;
    for (const phi of phis.get(b) ?? []) {
      phi.version = push(phi.name);
      frame.pushed.push(phi.name);
    }
    cfg.blocks[b]!.elements.forEach((el, index) => {
      for (const id of identifierUses(el)) uses.set(id.startIndex, { name: id.text, version: top(id.text) });
      const ds: SsaDef[] = [];
      for (const name of elementDefs(el)) {
        ds.push({ name, version: push(name), block: b, index });
        frame.pushed.push(name);
      }
      if (ds.length) defs.set(`${b}:${index}`, ds);
    });
    for (const e of cfg.blocks[b]!.succs)
      for (const phi of phis.get(e.to) ?? []) phi.incoming.push({ from: b, version: top(phi.name) });
    for (const c of children[b]!) stack.push({ block: c, pushed: [], phase: 0 });
  }
  return { dom, phis, defs, uses };
}
