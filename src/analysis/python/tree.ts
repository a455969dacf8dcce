import type Parser from "tree-sitter";
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

const NONE = -1;
const NAMED = 1;
const MISSING = 2;
const HAS_ERROR = 4;
const NO_CHILDREN: readonly PyNode[] = Object.freeze([]);
const LINE_CONTINUATION = "line_continuation";

// Per grammar: names of node type ids and field ids, learnt from the cursor the first time each id
// is seen (native calls per id for the whole process instead of per node).
const typeNames: string[] = [];
const typeIsNamed: boolean[] = [];
const typeHasFields: boolean[] = [];
/** Anonymous single-token types: their text is their name, so the end need not be read. */
const typeIsPlainToken: boolean[] = [];
/** Types that never have children: plain anonymous tokens and the grammar's named tokens. */
const typeIsLeaf: boolean[] = [];
/** Inner types whose range is their children's (grammar-facts.ts), so the copy need not read it. */
const typeRangeFromChildren: boolean[] = [];
const typeIdByName = new Map<string, number[]>();
const fieldNames: string[] = [""];
let typesWithFields: ReadonlySet<string> | null = null;
let namedTokenTypes: ReadonlySet<string> | null = null;

/**
 * Flat node store. Index 0 is the root; a node's subtree is the index range [i, last[i]]. All
 * columns live in one ArrayBuffer: a scan allocates one buffer per module rather than nine.
 */
class NodeStore {
  size = 0;
  capacity = 0;
  start!: Int32Array;
  end!: Int32Array;
  parent!: Int32Array;
  firstChild!: Int32Array;
  nextSibling!: Int32Array;
  last!: Int32Array;
  type!: Uint16Array;
  field!: Uint16Array;
  flags!: Uint8Array;

  constructor(capacity: number) {
    this.allocate(capacity);
  }

  private allocate(capacity: number): void {
    // 6 Int32 columns, then 2 Uint16 columns, then 1 Uint8 column: every view stays aligned.
    const buffer = new ArrayBuffer(capacity * (6 * 4 + 2 * 2 + 1));
    const int32 = (k: number) => new Int32Array(buffer, k * capacity * 4, capacity);
    const uint16 = (k: number) => new Uint16Array(buffer, 6 * capacity * 4 + k * capacity * 2, capacity);
    const old = this.capacity > 0 ? { ...this } : null;
    this.capacity = capacity;
    this.start = int32(0);
    this.end = int32(1);
    this.parent = int32(2);
    this.firstChild = int32(3);
    this.nextSibling = int32(4);
    this.last = int32(5);
    this.type = uint16(0);
    this.field = uint16(1);
    this.flags = new Uint8Array(buffer, 6 * capacity * 4 + 2 * capacity * 2, capacity);
    if (old) {
      this.start.set(old.start);
      this.end.set(old.end);
      this.parent.set(old.parent);
      this.firstChild.set(old.firstChild);
      this.nextSibling.set(old.nextSibling);
      this.last.set(old.last);
      this.type.set(old.type);
      this.field.set(old.field);
      this.flags.set(old.flags);
    }
  }

  add(type: number, flags: number, field: number, start: number, end: number, parent: number): number {
    if (this.size === this.capacity) this.allocate(this.capacity * 2);
    const i = this.size++;
    this.type[i] = type;
    this.flags[i] = flags;
    this.field[i] = field;
    this.start[i] = start;
    this.end[i] = end;
    this.parent[i] = parent;
    this.firstChild[i] = NONE;
    this.nextSibling[i] = NONE;
    this.last[i] = i;
    return i;
  }
}

export class PyTree {
  readonly source: string;
  /** @internal */
  readonly store: NodeStore;
  private readonly views: (PyNode | undefined)[] = [];
  private lineStarts: number[] | null = null;
  private memo: Map<object, Map<number, unknown>> | null = null;

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

/** Bumped whenever a type id is learnt, which invalidates cached id sets. */
let typesLearnt = 0;
// Keyed by the names, not by the array: many callers pass a fresh array literal on every call,
// which an identity-keyed cache never hits (each miss built a new set and a WeakMap entry). The
// distinct lists are the code's own literals, so the map stays small.
const idSetByNames = new Map<string, { learnt: number; set: Uint8Array }>();

/**
 * Type ids for a type name or a list of them (a name can have a named and an anonymous id),
 * cached per list of names until a new type is learnt (the syntax checks alone search a dozen
 * single names per module).
 */
function typeIdSet(types: string | readonly string[]): Uint8Array {
  const key = typeof types === "string" ? types : types.length === 1 ? types[0]! : types.join("\u0000");
  const cached = idSetByNames.get(key);
  if (cached && cached.learnt === typesLearnt) return cached.set;
  const set = new Uint8Array(typeNames.length);
  for (const name of typeof types === "string" ? [types] : types) for (const id of typeIdByName.get(name) ?? []) set[id] = 1;
  idSetByNames.set(key, { learnt: typesLearnt, set });
  return set;
}

// tree-sitter's ERROR symbol is 0xFFFF; it is stored as 0 (the end-of-input symbol, which never
// appears in a tree) so the per-id tables stay small, dense arrays.
const NATIVE_ERROR = 0xffff;
const ERROR_ID = 0;

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
    const wanted = typeIdSet(types);
    const s = this.tree.store;
    const out: PyNode[] = [];
    for (let j = this.id, last = s.last[this.id]!; j <= last; j++) if (wanted[s.type[j]!]) out.push(this.tree.node(j)!);
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

/**
 * Per parent type id, per child type id: 1 when the child may fill a field (ask the cursor), 2 when
 * it never does; 0 until first seen. Filled lazily, as type ids are learnt from the cursor.
 */
const fieldableByParent: Uint8Array[] = [];

function mayFillField(parentType: number, childType: number): boolean {
  const row = (fieldableByParent[parentType] ??= new Uint8Array(512));
  if (childType >= row.length) return true;
  let v = row[childType]!;
  if (v === 0) {
    const parentName = typeNames[parentType]!;
    const allowed = parentName === "ERROR" ? undefined : fieldableTypes!.get(parentName);
    const key = childKey(typeNames[childType]!, typeIsNamed[childType]! || typeNames[childType] === LINE_CONTINUATION);
    v = row[childType] = allowed === undefined || allowed.has(key) ? 1 : 2;
  }
  return v === 1;
}

let fieldableTypes: ReadonlyMap<string, ReadonlySet<string>> | null = null;
let rangeTypes: ReadonlySet<string> | null = null;

/**
 * Copy a tree-sitter tree into a `PyTree`. Trees with errors (the native root says so) also get
 * the MISSING flags and `hasError`, which a clean tree does not need to ask for.
 *
 * Every cursor read crosses N-API (~0.1 µs), and the copy cost as much as the parse, so it reads
 * only what it cannot derive from the grammar (grammar-facts.ts): the range of an inner node
 * whose type can hold no invisible token is its children's, and a child whose type no field of
 * its parent can hold fills no field. In a tree with errors every range and field is read: error
 * recovery makes nodes the grammar does not describe.
 */
export function copyTree(native: Parser.Tree, source: string, language: Parser.Language): PyTree {
  typesWithFields ??= fieldBearingTypes(language);
  namedTokenTypes ??= tokenTypes(language);
  fieldableTypes ??= fieldableChildren(language);
  rangeTypes ??= rangeFromChildrenTypes();
  const withErrors = native.rootNode.hasError;
  // Python has one node per two to four characters; the store doubles when this is short.
  const store = new NodeStore(Math.max(64, source.length >> 1));
  const c = native.walk();
  const learn = (id: number) => {
    typesLearnt++;
    const name = id === ERROR_ID ? "ERROR" : c.nodeType;
    typeNames[id] = name;
    // A backslash line continuation is whitespace to Python, but tree-sitter gives it a named node
    // wherever it occurs (between call arguments, parameters, operands), and every reader of
    // `namedChildren` would take it for an argument or operand. It is kept as an anonymous token.
    typeIsNamed[id] = c.nodeIsNamed && name !== LINE_CONTINUATION;
    // ERROR nodes can hold children of any rule, fields included.
    typeHasFields[id] = name === "ERROR" || (c.nodeIsNamed && typesWithFields!.has(name));
    // `not in` and `is not` are anonymous nodes made of two tokens, with any spacing between.
    typeIsPlainToken[id] = !c.nodeIsNamed && !/\s/.test(name);
    typeIsLeaf[id] = typeIsPlainToken[id] || (c.nodeIsNamed && namedTokenTypes!.has(name));
    typeRangeFromChildren[id] = !typeIsLeaf[id] && c.nodeIsNamed && rangeTypes!.has(name);
    const ids = typeIdByName.get(name);
    if (ids) ids.push(id);
    else typeIdByName.set(name, [id]);
    return name;
  };
  const rootNative = c.nodeTypeId;
  const rootType = rootNative === NATIVE_ERROR ? ERROR_ID : rootNative;
  if (typeNames[rootType] === undefined) learn(rootType);
  store.add(rootType, typeIsNamed[rootType] ? NAMED : 0, 0, c.startIndex, c.endIndex, NONE);
  if (c.gotoFirstChild()) {
    let parent = 0;
    let parentType = rootType;
    let parentHasFields = typeHasFields[rootType]!;
    let previous = NONE; // previous sibling of the node being added
    // For each open ancestor: its previous-sibling link and whether its parent has fields.
    const openPrevious: number[] = [];
    const openHasFields: boolean[] = [];
    for (;;) {
      const nativeType = c.nodeTypeId;
      const type = nativeType === NATIVE_ERROR ? ERROR_ID : nativeType;
      const name = typeNames[type] ?? learn(type);
      const named = typeIsNamed[type]!;
      const leaf = typeIsLeaf[type]!;
      const rangeFromChildren = !withErrors && typeRangeFromChildren[type]!;
      let field = 0;
      if (parentHasFields && (withErrors || mayFillField(parentType, type))) {
        field = c.currentFieldId;
        if (field && fieldNames[field] === undefined) fieldNames[field] = c.currentFieldName;
      }
      const flags = (named ? NAMED : 0) | (withErrors && c.nodeIsMissing ? MISSING : 0);
      let i: number;
      if (!rangeFromChildren) {
        const start = c.startIndex;
        // A plain anonymous token's text is its type, except a zero-width MISSING token (only in
        // trees with errors, where the end is always read).
        const end = typeIsPlainToken[type] && !withErrors ? start + name.length : c.endIndex;
        i = store.add(type, flags, field, start, end, parent);
      } else {
        // The range is its children's, set when it is left (or read below if it has none).
        i = store.add(type, flags, field, 0, 0, parent);
      }
      if (previous === NONE) store.firstChild[parent] = i;
      else store.nextSibling[previous] = i;
      // Tokens are leaves: the only anonymous nodes with children are the aliases `not in` and
      // `is not`, and named tokens have none.
      if (!leaf) {
        if (c.gotoFirstChild()) {
          openPrevious.push(i);
          openHasFields.push(parentHasFields);
          parent = i;
          parentType = type;
          parentHasFields = typeHasFields[type]!;
          previous = NONE;
          continue;
        }
        if (rangeFromChildren) {
          store.start[i] = c.startIndex;
          store.end[i] = c.endIndex;
        }
      }
      previous = i;
      let done = false;
      while (!c.gotoNextSibling()) {
        // Leaving `parent`: its subtree ends with the last node added, and so does its range.
        store.last[parent] = store.size - 1;
        if (parent !== 0 && !withErrors && typeRangeFromChildren[parentType]) {
          store.start[parent] = store.start[store.firstChild[parent]!]!;
          store.end[parent] = store.end[previous]!;
        }
        if (!c.gotoParent() || parent === 0) {
          done = true;
          break;
        }
        previous = openPrevious.pop()!;
        parentHasFields = openHasFields.pop()!;
        parent = store.parent[parent]!;
        parentType = store.type[parent]!;
      }
      if (done) break;
    }
  }
  store.last[0] = store.size - 1;
  if (withErrors) markErrors(store);
  return new PyTree(source, store);
}

/** `hasError` bottom-up: ERROR, MISSING, or any descendant with an error. */
function markErrors(s: NodeStore): void {
  // Pre-order indices: children come after their parent, so a reverse scan sees children first.
  for (let i = s.size - 1; i >= 0; i--) {
    if (s.type[i] === ERROR_ID || (s.flags[i]! & (MISSING | HAS_ERROR)) !== 0) {
      s.flags[i] = s.flags[i]! | HAS_ERROR;
      const p = s.parent[i]!;
      if (p !== NONE) s.flags[p] = s.flags[p]! | HAS_ERROR;
    }
  }
}
