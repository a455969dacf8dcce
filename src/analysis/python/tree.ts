import { buildTypeIndex, fieldNames, HAS_ERROR, lowerBound, MISSING, NAMED, type NodeStore, NONE, type TypeIndex, typeIdSet, typeNames } from "./node-store.js";
import { childKey, fieldableChildren, fieldBearingTypes, rangeFromChildrenTypes, tokenTypes } from "./grammar-facts.js";

/**
 * The syntax tree every analysis works on: tree-sitter's tree copied in one cursor pass into flat
 * typed arrays (pre-order), with `PyNode` views created on first access that have the same member
 * names as tree-sitter's `SyntaxNode`.
 *
 * Why a copy: each access to a native node (`children`, `parent`, `childForFieldName`, even
 * `startIndex`) crosses N-API and builds wrapper objects keyed by BigInt ids, and the rules and the
 * detector touch nodes thousands of times per module. One pass that reads every node once is
 * cheaper than the navigation it replaces. Why flat arrays rather than one object per node: a
 * 10 MB file has millions of nodes, and millions of long-lived objects cost the garbage collector
 * seconds and the heap gigabytes; the arrays cost ~30 bytes a node and no GC work, and most nodes
 * are never looked at as objects (type searches scan the arrays).
 */
export interface Point {
  row: number;
  column: number;
}

const NO_CHILDREN: readonly PyNode[] = Object.freeze([]);
/** Below this many nodes a subtree is scanned rather than searched through the type index. */
const INDEXED_SEARCH_MIN_NODES = 256;

export class PyTree {
  readonly source: string;
  /** @internal */
  readonly store: NodeStore;
  private readonly views: (PyNode | undefined)[] = [];
  private lineStarts: number[] | null = null;
  private memo: Map<object, Map<number, unknown>> | null = null;
  private types: TypeIndex | null = null;

  /** @internal */
  constructor(source: string, store: NodeStore) {
    this.source = source;
    this.store = store;
  }

  get rootNode(): PyNode {
    return this.node(0)!;
  }

  /** Number of nodes, anonymous ones included. */
  get nodeCount(): number {
    return this.store.size;
  }

  /**
   * A table of per-node values for one analysis (`key` names it, say the helper's cache object),
   * keyed by node id and dropped with the tree. Helpers shared by several rules memoise per node
   * here rather than in a WeakMap keyed by node: a WeakMap entry per short-lived node is an
   * ephemeron that every garbage collection has to visit.
   */
  /** @internal The nodes grouped by type (node-store.ts), built on first use. */
  typeIndex(): TypeIndex {
    return (this.types ??= buildTypeIndex(this.store));
  }

  memoTable<T>(key: object): Map<number, T> {
    const tables = (this.memo ??= new Map());
    let table = tables.get(key) as Map<number, T> | undefined;
    if (!table) {
      table = new Map<number, T>();
      tables.set(key, table);
    }
    return table;
  }

  /** The (shared) view of node `i`; the same object every time, so nodes can be map keys. */
  node(i: number): PyNode | null {
    if (i < 0) return null;
    return (this.views[i] ??= new PyNode(this, i));
  }

  /**
   * tree-sitter's point for a UTF-16 offset: rows count "\n" only, columns are UTF-16 units from
   * the start of the row.
   */
  pointAt(index: number): Point {
    const starts = (this.lineStarts ??= computeLineStarts(this.source));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo]! };
  }

  /** UTF-16 offset of a point (the inverse of `pointAt`). */
  indexAt(point: Point): number {
    const starts = (this.lineStarts ??= computeLineStarts(this.source));
    const rowStart = starts[Math.min(point.row, starts.length - 1)] ?? 0;
    return Math.min(this.source.length, rowStart + point.column);
  }

}

function computeLineStarts(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** A node of a `PyTree`, with tree-sitter's `SyntaxNode` member names. */
export class PyNode {
  readonly tree: PyTree;
  /** Pre-order number, unique within the tree. */
  readonly id: number;
  readonly type: string;
  private kids: readonly PyNode[] | null = null;
  private named: readonly PyNode[] | null = null;

  constructor(tree: PyTree, id: number) {
    this.tree = tree;
    this.id = id;
    this.type = typeNames[tree.store.type[id]!]!;
  }

  get startIndex(): number {
    return this.tree.store.start[this.id]!;
  }

  get endIndex(): number {
    return this.tree.store.end[this.id]!;
  }

  get isNamed(): boolean {
    return (this.tree.store.flags[this.id]! & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.tree.store.flags[this.id]! & MISSING) !== 0;
  }

  get hasError(): boolean {
    return (this.tree.store.flags[this.id]! & HAS_ERROR) !== 0;
  }

  get isError(): boolean {
    return this.type === "ERROR";
  }

  /** The field this node fills in its parent (`function`, `arguments`, ...), or null. */
  get field(): string | null {
    return fieldNames[this.tree.store.field[this.id]!] || null;
  }

  get text(): string {
    const s = this.tree.store;
    return this.tree.source.slice(s.start[this.id]!, s.end[this.id]!);
  }

  get startPosition(): Point {
    return this.tree.pointAt(this.startIndex);
  }

  get endPosition(): Point {
    return this.tree.pointAt(this.endIndex);
  }

  get parent(): PyNode | null {
    return this.tree.node(this.tree.store.parent[this.id]!);
  }

  get children(): readonly PyNode[] {
    if (this.kids) return this.kids;
    const s = this.tree.store;
    let first = s.firstChild[this.id]!;
    if (first === NONE) return (this.kids = NO_CHILDREN);
    const out: PyNode[] = [];
    for (; first !== NONE; first = s.nextSibling[first]!) out.push(this.tree.node(first)!);
    return (this.kids = out);
  }

  /** A node whose children are all named shares its children array. */
  /** Read from the store, so anonymous children (punctuation) never get views. */
  get namedChildren(): readonly PyNode[] {
    if (this.named) return this.named;
    const s = this.tree.store;
    let first = s.firstChild[this.id]!;
    if (first === NONE) return (this.named = NO_CHILDREN);
    const out: PyNode[] = [];
    for (; first !== NONE; first = s.nextSibling[first]!) if ((s.flags[first]! & NAMED) !== 0) out.push(this.tree.node(first)!);
    return (this.named = out);
  }

  get childCount(): number {
    if (this.kids) return this.kids.length;
    const s = this.tree.store;
    let n = 0;
    for (let j = s.firstChild[this.id]!; j !== NONE; j = s.nextSibling[j]!) n++;
    return n;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  child(i: number): PyNode | null {
    return this.children[i] ?? null;
  }

  namedChild(i: number): PyNode | null {
    return this.namedChildren[i] ?? null;
  }

  get firstChild(): PyNode | null {
    return this.tree.node(this.tree.store.firstChild[this.id]!);
  }

  get lastChild(): PyNode | null {
    const kids = this.children;
    return kids[kids.length - 1] ?? null;
  }

  get firstNamedChild(): PyNode | null {
    return this.namedChildren[0] ?? null;
  }

  get lastNamedChild(): PyNode | null {
    const named = this.namedChildren;
    return named[named.length - 1] ?? null;
  }

  get nextSibling(): PyNode | null {
    return this.tree.node(this.tree.store.nextSibling[this.id]!);
  }

  get previousSibling(): PyNode | null {
    const siblings = this.parent?.children ?? NO_CHILDREN;
    return siblings[siblings.indexOf(this) - 1] ?? null;
  }

  get nextNamedSibling(): PyNode | null {
    const s = this.tree.store;
    for (let j = s.nextSibling[this.id]!; j !== NONE; j = s.nextSibling[j]!) if (s.flags[j]! & NAMED) return this.tree.node(j);
    return null;
  }

  get previousNamedSibling(): PyNode | null {
    const siblings = this.parent?.children ?? NO_CHILDREN;
    for (let i = siblings.indexOf(this) - 1; i >= 0; i--) if (siblings[i]!.isNamed) return siblings[i]!;
    return null;
  }

  /** The first child filling field `name`, as tree-sitter's `childForFieldName`. */
  childForFieldName(name: string): PyNode | null {
    const s = this.tree.store;
    for (let j = s.firstChild[this.id]!; j !== NONE; j = s.nextSibling[j]!) {
      const f = s.field[j]!;
      if (f !== 0 && fieldNames[f] === name) return this.tree.node(j);
    }
    return null;
  }

  childrenForFieldName(name: string): PyNode[] {
    const s = this.tree.store;
    const out: PyNode[] = [];
    for (let j = s.firstChild[this.id]!; j !== NONE; j = s.nextSibling[j]!) {
      const f = s.field[j]!;
      if (f !== 0 && fieldNames[f] === name) out.push(this.tree.node(j)!);
    }
    return out;
  }

  /** Nodes of the given types in this subtree, this node included, in document order. */
  descendantsOfType(types: string | readonly string[]): PyNode[] {
    const { set: wanted, ids } = typeIdSet(types);
    const s = this.tree.store;
    const from = this.id;
    const last = s.last[from]!;
    const out: PyNode[] = [];
    // A large subtree is searched through the tree's type index, when what it returns is small
    // beside the subtree (a module's syntax checks and helpers ask for a dozen rare types each).
    if (last - from >= INDEXED_SEARCH_MIN_NODES && ids.length <= 8) {
      const { offsets, nodes } = this.tree.typeIndex();
      let found = 0;
      const bounds: number[] = [];
      for (const t of ids) {
        if (t + 1 >= offsets.length) continue;
        const lo = lowerBound(nodes, offsets[t]!, offsets[t + 1]!, from);
        const hi = lowerBound(nodes, lo, offsets[t + 1]!, last + 1);
        if (hi > lo) bounds.push(lo, hi);
        found += hi - lo;
      }
      if (found * 4 < last - from) {
        const picked: number[] = [];
        for (let b = 0; b < bounds.length; b += 2) for (let k = bounds[b]!; k < bounds[b + 1]!; k++) picked.push(nodes[k]!);
        if (bounds.length > 2) picked.sort((x, y) => x - y);
        for (const j of picked) out.push(this.tree.node(j)!);
        return out;
      }
    }
    for (let j = from; j <= last; j++) if (wanted[s.type[j]!]) out.push(this.tree.node(j)!);
    return out;
  }

  /**
   * The smallest node of this subtree that starts at or before `start` and ends after `end`
   * (tree-sitter's rule for `descendantForIndex`), this node when no child qualifies.
   */
  descendantForIndex(start: number, end = start): PyNode {
    const s = this.tree.store;
    let at = this.id;
    for (;;) {
      let inner = NONE;
      for (let j = s.firstChild[at]!; j !== NONE; j = s.nextSibling[j]!) {
        if (s.start[j]! <= start && s.end[j]! > end) {
          inner = j;
          break;
        }
      }
      if (inner === NONE) return this.tree.node(at)!;
      at = inner;
    }
  }

  descendantForPosition(start: Point, end: Point = start): PyNode {
    return this.descendantForIndex(this.tree.indexAt(start), this.tree.indexAt(end));
  }

  /** A cursor over this subtree with tree-sitter's TreeCursor movement rules. */
  walk(): PyCursor {
    return new PyCursor(this.tree, this.id);
  }

  /** S-expression of the named nodes, with field names, as tree-sitter prints it. */
  toString(): string {
    const parts: string[] = [];
    const stack: (PyNode | string)[] = [this];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (typeof item === "string") {
        parts.push(item);
        continue;
      }
      const field = item !== this ? item.field : null;
      const label = item.isMissing ? `(MISSING ${item.type}` : `(${item.type}`;
      parts.push(`${parts.length > 0 && !parts[parts.length - 1]!.endsWith("(") ? " " : ""}${field ? `${field}: ` : ""}${label}`);
      stack.push(")");
      const named = item.namedChildren;
      for (let i = named.length - 1; i >= 0; i--) stack.push(named[i]!);
    }
    return parts.join("").replace(/ \)/g, ")");
  }
}

/** TreeCursor over the flat store: it never leaves the subtree it was created on. */
export class PyCursor {
  private readonly tree: PyTree;
  private readonly root: number;
  private at: number;

  constructor(tree: PyTree, root: number) {
    this.tree = tree;
    this.root = root;
    this.at = root;
  }

  get currentNode(): PyNode {
    return this.tree.node(this.at)!;
  }

  get nodeType(): string {
    return typeNames[this.tree.store.type[this.at]!]!;
  }

  get nodeIsNamed(): boolean {
    return (this.tree.store.flags[this.at]! & NAMED) !== 0;
  }

  get startIndex(): number {
    return this.tree.store.start[this.at]!;
  }

  get endIndex(): number {
    return this.tree.store.end[this.at]!;
  }

  gotoFirstChild(): boolean {
    const first = this.tree.store.firstChild[this.at]!;
    if (first === NONE) return false;
    this.at = first;
    return true;
  }

  gotoNextSibling(): boolean {
    if (this.at === this.root) return false;
    const next = this.tree.store.nextSibling[this.at]!;
    if (next === NONE) return false;
    this.at = next;
    return true;
  }

  gotoParent(): boolean {
    if (this.at === this.root) return false;
    this.at = this.tree.store.parent[this.at]!;
    return true;
  }
}

export { copyTree } from "./tree-copy.js";
