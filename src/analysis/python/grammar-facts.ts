import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type Parser from "tree-sitter";

/**
 * What the tree copy (tree.ts) can know from tree-sitter-python's grammar instead of asking the
 * native cursor, each answer a crossing of N-API (~0.1 µs). Every fact here errs towards asking:
 * a type the grammar files do not describe is asked about.
 */

interface NodeTypeInfo {
  type: string;
  named: boolean;
  fields?: Record<string, { types?: TypeRef[] }>;
  children?: unknown;
  subtypes?: TypeRef[];
}

interface TypeRef {
  type: string;
  named: boolean;
}

function nodeTypeInfo(language: Parser.Language): NodeTypeInfo[] {
  return (language as unknown as { nodeTypeInfo?: NodeTypeInfo[] }).nodeTypeInfo ?? [];
}

export function fieldBearingTypes(language: Parser.Language): ReadonlySet<string> {
  return new Set(nodeTypeInfo(language).filter((t) => t.named && t.fields && Object.keys(t.fields).length > 0).map((t) => t.type));
}

/**
 * Named types the grammar describes with no children, fields or subtypes: its named tokens
 * (identifier, integer, string_start, comment, ...). A token never has children, so the copy does
 * not ask (a third of all nodes are such leaves).
 */
export function tokenTypes(language: Parser.Language): ReadonlySet<string> {
  return new Set(nodeTypeInfo(language).filter((t) => t.named && !t.fields && !t.children && !t.subtypes).map((t) => t.type));
}

/** How a child type is keyed in `fieldableChildren`: named and anonymous types can share a name. */
export function childKey(type: string, named: boolean): string {
  return `${named ? "n" : "a"}:${type}`;
}

/**
 * Per parent type: the child types (named and anonymous, supertypes expanded) that some field of
 * it can hold, from the grammar's node-types. A child of any other type fills no field, so the
 * copy need not ask the cursor (half the children of a field-bearing node are punctuation and
 * keywords outside every field).
 */
export function fieldableChildren(language: Parser.Language): ReadonlyMap<string, ReadonlySet<string>> {
  const info = nodeTypeInfo(language);
  const subtypes = new Map(info.filter((t) => t.named && Array.isArray(t.subtypes)).map((t) => [t.type, t.subtypes!]));
  const expand = (t: TypeRef, into: Set<string>) => {
    const key = childKey(t.type, t.named);
    if (into.has(key)) return;
    into.add(key);
    if (t.named) for (const s of subtypes.get(t.type) ?? []) expand(s, into);
  };
  const out = new Map<string, Set<string>>();
  for (const t of info) {
    if (!t.named || !t.fields) continue;
    const into = new Set<string>();
    for (const field of Object.values(t.fields)) for (const c of field.types ?? []) expand(c, into);
    out.set(t.type, into);
  }
  return out;
}

interface GrammarRule {
  type: string;
  name?: string;
  value?: string;
  named?: boolean;
  content?: GrammarRule;
  members?: GrammarRule[];
}

interface Grammar {
  rules: Record<string, GrammarRule>;
  externals?: GrammarRule[];
}

/**
 * Named types whose range is exactly their visible children's: the first child's start to the
 * last child's end (tree-sitter gives a parent its first child's padding and the sum of its
 * children's sizes). That fails only where a child is invisible, so a type qualifies when nothing
 * in its rule, through hidden rules and aliases to it, can produce an invisible token: a hidden
 * external (`_newline`, `_indent`, `_string_content`), a pattern, or a token that is not a plain
 * string. `block` (which ends in a newline), `string_content` and the compound statements do not
 * qualify; `call`, `attribute`, `argument_list` and the other expressions do. Empty when the
 * grammar file cannot be read: then every range is asked for.
 */
export function rangeFromChildrenTypes(): ReadonlySet<string> {
  let grammar: Grammar;
  try {
    const require = createRequire(import.meta.url);
    grammar = JSON.parse(readFileSync(require.resolve("tree-sitter-python/src/grammar.json"), "utf8")) as Grammar;
  } catch {
    return new Set();
  }
  const hiddenExternals = new Set((grammar.externals ?? []).filter((e) => e.type === "SYMBOL" && e.name!.startsWith("_")).map((e) => e.name!));
  const makesInvisibleToken = (rule: GrammarRule | undefined, seen: Set<string>): boolean => {
    if (!rule) return true;
    switch (rule.type) {
      case "STRING":
      case "BLANK":
      case "ALIAS": // a visible child of its own, whatever its content
        return false;
      case "PATTERN":
        return true;
      case "TOKEN":
      case "IMMEDIATE_TOKEN":
        return rule.content?.type !== "STRING";
      case "SYMBOL": {
        const name = rule.name!;
        if (!name.startsWith("_")) return false;
        if (hiddenExternals.has(name) || !grammar.rules[name]) return true;
        if (seen.has(name)) return false;
        seen.add(name);
        return makesInvisibleToken(grammar.rules[name], seen);
      }
      case "SEQ":
      case "CHOICE":
        return (rule.members ?? []).some((m) => makesInvisibleToken(m, seen));
      default:
        return rule.content ? makesInvisibleToken(rule.content, seen) : true;
    }
  };
  const out = new Set<string>();
  for (const [name, rule] of Object.entries(grammar.rules)) if (!name.startsWith("_") && !makesInvisibleToken(rule, new Set())) out.add(name);
  // A named alias makes a node of that type from other content, which must qualify as well.
  const visit = (rule: GrammarRule | undefined) => {
    if (!rule) return;
    if (rule.type === "ALIAS" && rule.named && makesInvisibleToken(rule.content, new Set())) out.delete(rule.value!);
    if (rule.content) visit(rule.content);
    for (const m of rule.members ?? []) visit(m);
  };
  for (const rule of Object.values(grammar.rules)) visit(rule);
  return out;
}
