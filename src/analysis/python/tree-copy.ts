import type Parser from "tree-sitter";
import { childKey, fieldableChildren, fieldBearingTypes, rangeFromChildrenTypes, tokenTypes } from "./grammar-facts.js";
import {
  ERROR_ID,
  fieldNames,
  HAS_ERROR,
  LINE_CONTINUATION,
  MISSING,
  NAMED,
  NATIVE_ERROR,
  NodeStore,
  NONE,
  noteTypeLearnt,
  typeHasFields,
  typeIdByName,
  typeIsLeaf,
  typeIsNamed,
  typeIsPlainToken,
  typeNames,
  typeRangeFromChildren,
} from "./node-store.js";
import { PyTree } from "./tree.js";

let typesWithFields: ReadonlySet<string> | null = null;
let namedTokenTypes: ReadonlySet<string> | null = null;

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

function loadGrammarFacts(language: Parser.Language): void {
  typesWithFields ??= fieldBearingTypes(language);
  namedTokenTypes ??= tokenTypes(language);
  fieldableTypes ??= fieldableChildren(language);
  rangeTypes ??= rangeFromChildrenTypes();
}

/**
 * Enter type `id` in the per-grammar tables (node-store.ts), from its name and whether tree-sitter
 * calls it named. The cursor copy learns each type the first time it meets one; the native export
 * (native-tree.ts) learns them all up front.
 */
export function learnType(id: number, name: string, nativeNamed: boolean, language: Parser.Language): void {
  loadGrammarFacts(language);
  noteTypeLearnt();
  typeNames[id] = name;
  // A backslash line continuation is whitespace to Python, but tree-sitter gives it a named node
  // wherever it occurs (between call arguments, parameters, operands), and every reader of
  // `namedChildren` would take it for an argument or operand. It is kept as an anonymous token.
  typeIsNamed[id] = nativeNamed && name !== LINE_CONTINUATION;
  // ERROR nodes can hold children of any rule, fields included.
  typeHasFields[id] = name === "ERROR" || (nativeNamed && typesWithFields!.has(name));
  // `not in` and `is not` are anonymous nodes made of two tokens, with any spacing between.
  typeIsPlainToken[id] = !nativeNamed && !/\s/.test(name);
  typeIsLeaf[id] = typeIsPlainToken[id] || (nativeNamed && namedTokenTypes!.has(name));
  typeRangeFromChildren[id] = !typeIsLeaf[id] && nativeNamed && rangeTypes!.has(name);
  const ids = typeIdByName.get(name);
  if (ids) ids.push(id);
  else typeIdByName.set(name, [id]);
}

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
  loadGrammarFacts(language);
  const withErrors = native.rootNode.hasError;
  // Python has one node per two to four characters; the store doubles when this is short.
  const store = new NodeStore(Math.max(64, source.length >> 1));
  const c = native.walk();
  const learn = (id: number) => {
    const name = id === ERROR_ID ? "ERROR" : c.nodeType;
    learnType(id, name, c.nodeIsNamed, language);
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
export function markErrors(s: NodeStore): void {
  // Pre-order indices: children come after their parent, so a reverse scan sees children first.
  for (let i = s.size - 1; i >= 0; i--) {
    if (s.type[i] === ERROR_ID || (s.flags[i]! & (MISSING | HAS_ERROR)) !== 0) {
      s.flags[i] = s.flags[i]! | HAS_ERROR;
      const p = s.parent[i]!;
      if (p !== NONE) s.flags[p] = s.flags[p]! | HAS_ERROR;
    }
  }
}
