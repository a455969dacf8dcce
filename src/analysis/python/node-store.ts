// The flat node store behind `PyTree` (tree.ts) and the per-grammar type tables that both the
// copy (tree-copy.ts) and the node views read. Internal to src/analysis/python.

export const NONE = -1;
export const NAMED = 1;
export const MISSING = 2;
export const HAS_ERROR = 4;
export const LINE_CONTINUATION = "line_continuation";

// Per grammar: names of node type ids and field ids, learnt from the cursor the first time each id
// is seen (native calls per id for the whole process instead of per node).
export const typeNames: string[] = [];
export const typeIsNamed: boolean[] = [];
export const typeHasFields: boolean[] = [];
/** Anonymous single-token types: their text is their name, so the end need not be read. */
export const typeIsPlainToken: boolean[] = [];
/** Types that never have children: plain anonymous tokens and the grammar's named tokens. */
export const typeIsLeaf: boolean[] = [];
/** Inner types whose range is their children's (grammar-facts.ts), so the copy need not read it. */
export const typeRangeFromChildren: boolean[] = [];
export const typeIdByName = new Map<string, number[]>();
export const fieldNames: string[] = [""];

// tree-sitter's ERROR symbol is 0xFFFF; it is stored as 0 (the end-of-input symbol, which never
// appears in a tree) so the per-id tables stay small, dense arrays.
export const NATIVE_ERROR = 0xffff;
export const ERROR_ID = 0;

/** Bytes a node takes in a store's buffer, across its nine columns. */
export const BYTES_PER_NODE = 6 * 4 + 2 * 2 + 1;

/**
 * Flat node store. Index 0 is the root; a node's subtree is the index range [i, last[i]]. All
 * columns live in one ArrayBuffer: a scan allocates one buffer per module rather than nine.
 */
export class NodeStore {
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

  /**
   * An empty store with room for `capacity` nodes, or one over columns filled elsewhere
   * (native/tree_export.c writes this same layout): `filled.size` nodes in a buffer of `capacity`
   * rows.
   */
  constructor(capacity: number, filled?: { buffer: ArrayBuffer; size: number }) {
    if (filled) {
      this.view(filled.buffer, capacity);
      this.size = filled.size;
    } else {
      this.allocate(capacity);
    }
  }

  private allocate(capacity: number): void {
    const old = this.capacity > 0 ? { ...this } : null;
    this.view(new ArrayBuffer(capacity * BYTES_PER_NODE), capacity);
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

  private view(buffer: ArrayBuffer, capacity: number): void {
    // 6 Int32 columns, then 2 Uint16 columns, then 1 Uint8 column: every view stays aligned.
    const int32 = (k: number) => new Int32Array(buffer, k * capacity * 4, capacity);
    const uint16 = (k: number) => new Uint16Array(buffer, 6 * capacity * 4 + k * capacity * 2, capacity);
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

/** Bumped whenever a type id is learnt, which invalidates cached id sets. */
let typesLearnt = 0;

export function noteTypeLearnt(): void {
  typesLearnt++;
}

/** The type ids of a list of type names, as a membership table and as a list. */
export interface TypeIds {
  set: Uint8Array;
  ids: readonly number[];
}

// Keyed by the names, not by the array: many callers pass a fresh array literal on every call,
// which an identity-keyed cache never hits (each miss built a new set and a WeakMap entry). The
// distinct lists are the code's own literals, so the map stays small.
const idSetByNames = new Map<string, { learnt: number; ids: TypeIds }>();

/**
 * Type ids for a type name or a list of them (a name can have a named and an anonymous id),
 * cached per list of names until a new type is learnt (the syntax checks alone search a dozen
 * single names per module).
 */
export function typeIdSet(types: string | readonly string[]): TypeIds {
  const key = typeof types === "string" ? types : types.length === 1 ? types[0]! : types.join("\u0000");
  const cached = idSetByNames.get(key);
  if (cached && cached.learnt === typesLearnt) return cached.ids;
  const set = new Uint8Array(typeNames.length);
  const ids: number[] = [];
  for (const name of typeof types === "string" ? [types] : types) {
    for (const id of typeIdByName.get(name) ?? []) {
      if (set[id]) continue;
      set[id] = 1;
      ids.push(id);
    }
  }
  const entry = { set, ids };
  idSetByNames.set(key, { learnt: typesLearnt, ids: entry });
  return entry;
}

/**
 * The nodes of a store grouped by type, each group in document order: the ids of type `t` are
 * `nodes[offsets[t]]` up to (not including) `nodes[offsets[t + 1]]`. Built in two passes over the
 * store (a counting sort).
 */
export interface TypeIndex {
  offsets: Int32Array;
  nodes: Int32Array;
}

export function buildTypeIndex(s: NodeStore): TypeIndex {
  const types = typeNames.length;
  const offsets = new Int32Array(types + 1);
  for (let i = 0; i < s.size; i++) offsets[s.type[i]! + 1]!++;
  for (let t = 0; t < types; t++) offsets[t + 1]! += offsets[t]!;
  const fill = offsets.slice(0, types);
  const nodes = new Int32Array(s.size);
  for (let i = 0; i < s.size; i++) nodes[fill[s.type[i]!]!++] = i;
  return { offsets, nodes };
}

/** The first position in `nodes[from, to)` holding an id >= `id` (the ids there ascend). */
export function lowerBound(nodes: Int32Array, from: number, to: number, id: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nodes[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
