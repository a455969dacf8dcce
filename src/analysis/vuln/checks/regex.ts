/**
 * A small parser for Python `re` patterns and the backtracking-risk analysis behind the ReDoS
 * check. Character sets are 128-bit ASCII masks plus one bit for "any non-ASCII character", which is
 * enough to decide whether two pieces of a pattern can consume the same character.
 */

export class CharSet {
  constructor(readonly bits: bigint = 0n, readonly other = false) {}
  static of(...codes: number[]): CharSet {
    let b = 0n;
    let other = false;
    for (const c of codes) {
      if (c < 128) b |= 1n << BigInt(c);
      else other = true;
    }
    return new CharSet(b, other);
  }
  static range(lo: number, hi: number): CharSet {
    let b = 0n;
    for (let c = lo; c <= Math.min(hi, 127); c++) b |= 1n << BigInt(c);
    return new CharSet(b, hi >= 128);
  }
  static readonly ALL = new CharSet((1n << 128n) - 1n, true);
  union(o: CharSet): CharSet {
    return new CharSet(this.bits | o.bits, this.other || o.other);
  }
  complement(): CharSet {
    return new CharSet(~this.bits & ((1n << 128n) - 1n), !this.other);
  }
  intersects(o: CharSet): boolean {
    return (this.bits & o.bits) !== 0n || (this.other && o.other);
  }
  subsetOf(o: CharSet): boolean {
    return (this.bits & ~o.bits) === 0n && (!this.other || o.other);
  }
  get isEmpty(): boolean {
    return this.bits === 0n && !this.other;
  }
}

const DIGIT = CharSet.range(48, 57);
const WORD = DIGIT.union(CharSet.range(65, 90)).union(CharSet.range(97, 122)).union(CharSet.of(95)).union(new CharSet(0n, true));
// Non-ASCII whitespace is left out so that \s and \w stay disjoint (both would share the one
// "non-ASCII" bit otherwise).
const SPACE = CharSet.of(32, 9, 10, 11, 12, 13);
const DOT = CharSet.of(10).complement();
const DOT_ALL = CharSet.ALL;

export type RegexNode =
  | { kind: "seq"; items: RegexNode[] }
  | { kind: "alt"; options: RegexNode[] }
  | { kind: "group"; body: RegexNode; lookaround: boolean }
  | { kind: "repeat"; body: RegexNode; min: number; max: number; lazy: boolean }
  | { kind: "chars"; set: CharSet; wildcard: boolean }
  | { kind: "anchor"; which: string }
  | { kind: "backref" };

export class RegexSyntaxError extends Error {}

const MAX_DEPTH = 200;

/** Parse a Python regular expression. Throws RegexSyntaxError on input `re` would reject. */
export function parseRegex(source: string, opts: { dotAll?: boolean; ignoreCase?: boolean; verbose?: boolean } = {}): RegexNode {
  let pos = 0;
  let dotAll = opts.dotAll ?? false;
  let ignoreCase = opts.ignoreCase ?? false;
  let verbose = opts.verbose ?? false;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    if (inline[1]!.includes("s")) dotAll = true;
    if (inline[1]!.includes("i")) ignoreCase = true;
    if (inline[1]!.includes("x")) verbose = true;
  }
  const pattern = verbose ? stripVerbose(source) : source;
  const fold = (set: CharSet): CharSet => {
    if (!ignoreCase) return set;
    let out = set;
    for (let c = 65; c <= 90; c++) {
      if (set.intersects(CharSet.of(c)) || set.intersects(CharSet.of(c + 32))) out = out.union(CharSet.of(c, c + 32));
    }
    return out;
  };

  const parseAlt = (depth: number): RegexNode => {
    if (depth > MAX_DEPTH) throw new RegexSyntaxError("pattern nested too deeply");
    const options: RegexNode[] = [parseSeq(depth)];
    while (pattern[pos] === "|") {
      pos++;
      options.push(parseSeq(depth));
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  };

  const parseSeq = (depth: number): RegexNode => {
    const items: RegexNode[] = [];
    while (pos < pattern.length && pattern[pos] !== "|" && pattern[pos] !== ")") {
      let atom = parseAtom(depth);
      if (atom === null) continue;
      atom = parseQuantifiers(atom);
      items.push(atom);
    }
    return { kind: "seq", items };
  };

  const parseQuantifiers = (atom: RegexNode): RegexNode => {
    for (;;) {
      const c = pattern[pos];
      let min: number;
      let max: number;
      if (c === "*") [min, max] = [0, Infinity];
      else if (c === "+") [min, max] = [1, Infinity];
      else if (c === "?") [min, max] = [0, 1];
      else if (c === "{") {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(pattern.slice(pos));
        if (!m || (m[1] === "" && m[2] === "" )) return atom; // a literal brace
        min = m[1] === "" ? 0 : Number(m[1]);
        max = m[2] === "" ? min : m[3] === "" ? Infinity : Number(m[3]);
        pos += m[0].length - 1;
      } else return atom;
      pos++;
      let lazy = false;
      if (pattern[pos] === "?") {
        lazy = true;
        pos++;
      } else if (pattern[pos] === "+") pos++; // possessive (3.11): no backtracking into it
      if (atom.kind === "anchor") throw new RegexSyntaxError("nothing to repeat");
      atom = { kind: "repeat", body: atom, min, max, lazy };
    }
  };

  const parseAtom = (depth: number): RegexNode | null => {
    const c = pattern[pos]!;
    if (c === "(") {
      pos++;
      let lookaround = false;
      if (pattern[pos] === "?") {
        const rest = pattern.slice(pos);
        if (rest.startsWith("?#")) {
          const end = pattern.indexOf(")", pos);
          if (end < 0) throw new RegexSyntaxError("missing ), unterminated comment");
          pos = end + 1;
          return null;
        }
        if (rest.startsWith("?P=")) {
          const end = pattern.indexOf(")", pos);
          if (end < 0) throw new RegexSyntaxError("missing )");
          pos = end + 1;
          return { kind: "backref" };
        }
        const named = /^\?P<\w+>/.exec(rest);
        if (named) pos += named[0].length;
        else if (/^\?(=|!|<=|<!)/.test(rest)) {
          lookaround = true;
          pos += rest.startsWith("?<") ? 3 : 2;
        } else if (rest.startsWith("?:")) pos += 2;
        else if (rest.startsWith("?(")) {
          const end = pattern.indexOf(")", pos);
          pos = end + 1;
        } else {
          const flags = /^\?([aiLmsux-]+)(:|\))/.exec(rest);
          if (!flags) throw new RegexSyntaxError(`unknown extension ${rest.slice(0, 3)}`);
          pos += flags[0].length;
          if (flags[2] === ")") return null;
        }
      }
      const body = parseAlt(depth + 1);
      if (pattern[pos] !== ")") throw new RegexSyntaxError("missing ), unterminated subpattern");
      pos++;
      return { kind: "group", body, lookaround };
    }
    if (c === "[") return { kind: "chars", set: fold(parseClass()), wildcard: false };
    if (c === ".") {
      pos++;
      return { kind: "chars", set: dotAll ? DOT_ALL : DOT, wildcard: true };
    }
    if (c === "^" || c === "$") {
      pos++;
      return { kind: "anchor", which: c };
    }
    if (c === "*" || c === "+" || c === "?") throw new RegexSyntaxError("nothing to repeat");
    if (c === "\\") {
      const esc = parseEscape(false);
      if (esc === "anchor") return { kind: "anchor", which: pattern.slice(pos - 2, pos) };
      if (esc === "backref") return { kind: "backref" };
      return { kind: "chars", set: fold(esc), wildcard: false };
    }
    pos++;
    return { kind: "chars", set: fold(CharSet.of(c.codePointAt(0)!)), wildcard: false };
  };

  const parseEscape = (inClass: boolean): CharSet | "anchor" | "backref" => {
    pos++; // backslash
    const c = pattern[pos];
    if (c === undefined) throw new RegexSyntaxError("bad escape (end of pattern)");
    pos++;
    switch (c) {
      case "d": return DIGIT;
      case "D": return DIGIT.complement();
      case "w": return WORD;
      case "W": return WORD.complement();
      case "s": return SPACE;
      case "S": return SPACE.complement();
      case "n": return CharSet.of(10);
      case "t": return CharSet.of(9);
      case "r": return CharSet.of(13);
      case "f": return CharSet.of(12);
      case "v": return CharSet.of(11);
      case "a": return CharSet.of(7);
      case "x": {
        const hex = pattern.slice(pos, pos + 2);
        pos += 2;
        return CharSet.of(parseInt(hex, 16) || 0);
      }
      case "u":
      case "U": {
        const len = c === "u" ? 4 : 8;
        const hex = pattern.slice(pos, pos + len);
        pos += len;
        return CharSet.of(parseInt(hex, 16) || 0);
      }
      case "b":
        return inClass ? CharSet.of(8) : "anchor";
      case "A":
      case "Z":
      case "B":
        if (inClass) throw new RegexSyntaxError(`bad escape \\${c}`);
        return "anchor";
      default:
        if (/[0-9]/.test(c)) {
          if (c === "0" || inClass) {
            const oct = /^[0-7]{0,2}/.exec(pattern.slice(pos))![0];
            pos += oct.length;
            return CharSet.of(parseInt(c + oct, 8));
          }
          while (/[0-9]/.test(pattern[pos] ?? "")) pos++;
          return "backref";
        }
        if (/[A-Za-z]/.test(c)) throw new RegexSyntaxError(`bad escape \\${c}`);
        return CharSet.of(c.codePointAt(0)!);
    }
  };

  const parseClass = (): CharSet => {
    pos++; // [
    let negate = false;
    if (pattern[pos] === "^") {
      negate = true;
      pos++;
    }
    let set = new CharSet();
    let first = true;
    while (pos < pattern.length && (pattern[pos] !== "]" || first)) {
      first = false;
      let lo: CharSet | "anchor" | "backref";
      let loCode: number | null = null;
      if (pattern[pos] === "\\") {
        lo = parseEscape(true);
        if (lo instanceof CharSet && isSingle(lo)) loCode = single(lo);
      } else {
        loCode = pattern.codePointAt(pos)!;
        pos += loCode > 0xffff ? 2 : 1;
        lo = CharSet.of(loCode);
      }
      if (!(lo instanceof CharSet)) continue;
      if (pattern[pos] === "-" && pattern[pos + 1] !== "]" && pos + 1 < pattern.length && loCode !== null) {
        pos++;
        let hiCode: number;
        if (pattern[pos] === "\\") {
          const hi = parseEscape(true);
          if (!(hi instanceof CharSet) || !isSingle(hi)) throw new RegexSyntaxError("bad character range");
          hiCode = single(hi);
        } else {
          hiCode = pattern.codePointAt(pos)!;
          pos += hiCode > 0xffff ? 2 : 1;
        }
        if (hiCode < loCode) throw new RegexSyntaxError("bad character range");
        set = set.union(CharSet.range(loCode, hiCode));
      } else set = set.union(lo);
    }
    if (pattern[pos] !== "]") throw new RegexSyntaxError("unterminated character set");
    pos++;
    return negate ? set.complement() : set;
  };

  const tree = parseAlt(0);
  if (pos < pattern.length) throw new RegexSyntaxError("unbalanced parenthesis");
  return tree;
}

function isSingle(set: CharSet): boolean {
  if (set.other) return false;
  return set.bits !== 0n && (set.bits & (set.bits - 1n)) === 0n;
}

function single(set: CharSet): number {
  let c = 0;
  let b = set.bits;
  while (b > 1n) {
    b >>= 1n;
    c++;
  }
  return c;
}

/**
 * re.VERBOSE: whitespace outside character classes is ignored and `#` starts a comment to the end
 * of the line. Read as plain text, those comments are literal characters that hide the pattern's
 * real shape (a `# ...` line in the middle of a sequence looks like a delimiter).
 */
export function stripVerbose(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      out += c + (pattern[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]" && !/\[\^?$/.test(out)) inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (c === "#") {
      while (i < pattern.length && pattern[i] !== "\n") i++;
      continue;
    }
    out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Analysis

export interface RegexRisk {
  kind: "nested-quantifier" | "overlapping-alternation" | "adjacent-overlap" | "wildcard-tail" | "rescan";
  detail: string;
}

/** Can the node match the empty string? */
export function nullable(n: RegexNode): boolean {
  switch (n.kind) {
    case "seq": return n.items.every(nullable);
    case "alt": return n.options.some(nullable);
    case "group": return n.lookaround || nullable(n.body);
    case "repeat": return n.min === 0 || nullable(n.body);
    case "chars": return false;
    case "anchor": return true;
    case "backref": return true;
  }
}

/** Characters the node can consume anywhere. */
export function chars(n: RegexNode): CharSet {
  switch (n.kind) {
    case "seq": return n.items.reduce((a, i) => a.union(chars(i)), new CharSet());
    case "alt": return n.options.reduce((a, i) => a.union(chars(i)), new CharSet());
    case "group": return n.lookaround ? new CharSet() : chars(n.body);
    case "repeat": return chars(n.body);
    case "chars": return n.set;
    default: return new CharSet();
  }
}

function isUnbounded(n: RegexNode): n is Extract<RegexNode, { kind: "repeat" }> {
  return n.kind === "repeat" && n.max === Infinity;
}

function containsUnbounded(n: RegexNode): Extract<RegexNode, { kind: "repeat" }> | null {
  const stack: RegexNode[] = [n];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === "repeat") {
      if (x.max === Infinity) return x;
      stack.push(x.body);
    } else if (x.kind === "seq") stack.push(...x.items);
    else if (x.kind === "alt") stack.push(...x.options);
    else if (x.kind === "group" && !x.lookaround) stack.push(x.body);
  }
  return null;
}

/** Sequence elements with plain (unquantified, non-lookaround, single-option) groups inlined. */
function flatten(n: RegexNode): RegexNode[] {
  if (n.kind === "seq") return n.items.flatMap(flatten);
  if (n.kind === "group" && !n.lookaround && n.body.kind !== "alt") return flatten(n.body);
  return [n];
}

/**
 * Risks in a pattern. `searched`: the pattern is tried at every start position (search, findall,
 * finditer, sub, split) rather than anchored at the start (match, fullmatch).
 */
export function analyzeRegex(tree: RegexNode, searched: boolean): RegexRisk[] {
  const risks: RegexRisk[] = [];
  const stack: RegexNode[] = [tree];
  let visited = 0;
  while (stack.length && visited++ < 10_000) {
    const n = stack.pop()!;
    if (isUnbounded(n)) {
      const inner = containsUnbounded(n.body);
      if (inner && repeatIsAmbiguous(n.body, inner)) risks.push({ kind: "nested-quantifier", detail: "a repeated group contains an unbounded quantifier that can split the same text in many ways (exponential backtracking)" });
      const alt = n.body.kind === "group" ? n.body.body : n.body;
      if (alt.kind === "alt" && overlappingOptions(alt.options)) risks.push({ kind: "overlapping-alternation", detail: "a repeated alternation has options that match the same text (exponential backtracking)" });
    }
    if (n.kind === "seq" || n.kind === "group" || n.kind === "alt") {
      const seqs = n.kind === "alt" ? n.options : [n];
      for (const s of seqs) {
        const risk = adjacentOverlap(flatten(s));
        if (risk) risks.push(risk);
      }
    }
    if (n.kind === "seq") stack.push(...n.items);
    else if (n.kind === "alt") stack.push(...n.options);
    else if (n.kind === "group") stack.push(n.body);
    else if (n.kind === "repeat") stack.push(n.body);
  }
  if (searched) {
    const r = rescan(flatten(tree));
    if (r) risks.push(r);
  }
  const seen = new Set<string>();
  return risks.filter((r) => (seen.has(r.kind) ? false : (seen.add(r.kind), true)));
}

/**
 * An outer repetition of `body` is ambiguous when one iteration can be split into two: the body is
 * nullable apart from the inner quantifier, or everything else it requires is also consumable by
 * the inner quantifier (`(\w+\s?)*`, `(.*,)*`, `([\w.-]*)*`).
 */
function repeatIsAmbiguous(body: RegexNode, inner: RegexNode): boolean {
  // A repeated alternation: each option is one iteration's shape. An option whose required pieces
  // the inner quantifier cannot consume (`(\.\w+|\[[^]]+\])*`) starts every iteration with a
  // marker, so iterations cannot be re-split; options overlapping each other are the
  // overlapping-alternation risk, asked separately.
  let core = body;
  while (core.kind === "group" && !core.lookaround) core = core.body;
  if (core.kind === "alt") {
    return core.options.some((o) => {
      const i = containsUnbounded(o);
      return i !== null && sequenceIsAmbiguous(o, i);
    });
  }
  // The quantifier that can absorb the next iteration's start is one at the body's own level; one
  // nested inside a delimited sub-group (`\(` [^)]* `\)`) is closed off by its delimiters.
  return sequenceIsAmbiguous(body, flatten(body).find(isUnbounded) ?? inner);
}

function sequenceIsAmbiguous(body: RegexNode, inner: RegexNode): boolean {
  const innerChars = chars(inner);
  const items = flatten(body);
  for (const item of items) {
    if (item === inner || nullable(item)) continue;
    if (containsUnbounded(item) === inner) continue;
    if (!chars(item).subsetOf(innerChars)) return false;
  }
  return true;
}

/** Characters the node's matches can start with (a backreference can start with anything). */
function firstChars(n: RegexNode): CharSet {
  switch (n.kind) {
    case "seq": {
      let out = new CharSet();
      for (const item of n.items) {
        out = out.union(firstChars(item));
        if (!nullable(item)) break;
      }
      return out;
    }
    case "alt": return n.options.reduce((a, o) => a.union(firstChars(o)), new CharSet());
    case "group": return n.lookaround ? new CharSet() : firstChars(n.body);
    case "repeat": return firstChars(n.body);
    case "chars": return n.set;
    case "anchor": return new CharSet();
    case "backref": return CharSet.ALL;
  }
}

function overlappingOptions(options: RegexNode[]): boolean {
  for (let i = 0; i < options.length; i++) {
    for (let j = i + 1; j < options.length; j++) {
      const a = flatten(options[i]!);
      const b = flatten(options[j]!);
      if (a.length === 0 || b.length === 0) return true;
      // Two options that cannot start with the same character never match the same text.
      if (!nullable(options[i]!) && !nullable(options[j]!) && !firstChars(options[i]!).intersects(firstChars(options[j]!))) continue;
      if (a.length === b.length && a.every((x, k) => x.kind === "chars" && b[k]!.kind === "chars" && chars(x).intersects(chars(b[k]!)))) return true;
      if (containsUnbounded(options[i]!) && containsUnbounded(options[j]!) && chars(options[i]!).intersects(chars(options[j]!))) return true;
    }
  }
  return false;
}

/**
 * Two unbounded quantifiers in one sequence, separated only by optional pieces and a run of required
 * delimiter characters, that can consume the same characters, where the first can also consume the
 * delimiter: every delimiter occurrence is then a split point to try (`(.*?)\((.*)\)`,
 * `\[(.*?)\] (.*?): (.*)`). Adjacent overlapping quantifiers with no delimiter (`\d+\d+`) likewise.
 *
 * A weaker, defensive form: an unbounded wildcard tail (`(.+)$`) after a delimiter it can itself
 * match (`[^@]+@(.+)$`). CPython does not blow up on it, but the delimiter no longer delimits, so
 * the pattern accepts more than intended; the negated class (`[^@]+`) is the usual fix.
 */
function adjacentOverlap(items: RegexNode[]): RegexRisk | null {
  for (let i = 0; i < items.length; i++) {
    const q1 = items[i]!;
    if (!isUnbounded(q1)) continue;
    const c1 = chars(q1);
    let delimiter = new CharSet();
    let delimiterLength = 0;
    for (let j = i + 1; j < items.length; j++) {
      const x = items[j]!;
      if (isUnbounded(x)) {
        const c2 = chars(x);
        if (!c1.intersects(c2)) break;
        // Backtracking needs something after the pair that can fail; without it the first try wins.
        const canFail = items.slice(j + 1).some((y) => !nullable(y) || (y.kind === "anchor" && (y.which === "$" || y.which === "\\Z")));
        if (!canFail) break;
        // Each split point costs a long scan only when both sides can run across the delimiter.
        if (delimiter.isEmpty || (delimiter.intersects(c1) && delimiter.intersects(c2))) {
          return { kind: "adjacent-overlap", detail: "two unbounded quantifiers can consume the same characters, including the delimiter between them (polynomial backtracking)" };
        }
        const wildcardTail = x.body.kind === "chars" && x.body.wildcard && items.slice(j + 1).every((y) => y.kind === "anchor" || nullable(y));
        if (wildcardTail && delimiter.intersects(c2)) {
          return { kind: "wildcard-tail", detail: "an unbounded wildcard after a delimiter it can also match (the delimiter does not delimit; use a class that excludes it)" };
        }
        break;
      }
      if (x.kind === "anchor" || nullable(x)) continue;
      if (x.kind === "chars") {
        // A long literal keyword between the two ("SELECT (.*) FROM t WHERE (.*)") must itself be
        // repeated by an attacker; such parsers of structured text are not reported.
        if (++delimiterLength > 3) break;
        delimiter = delimiter.union(x.set);
        continue;
      }
      break;
    }
  }
  return null;
}

/**
 * Tried at every start position, a pattern whose leading piece can also be consumed by a later
 * unbounded quantifier that must then be followed by something else rescans the rest of the input
 * from each occurrence of the leader: quadratic time (`<(.*?)>` on "<<<<...").
 */
function rescan(items: RegexNode[]): RegexRisk | null {
  const first = items[0];
  if (!first || first.kind === "anchor") return null;
  if (first.kind !== "chars") return null;
  for (let i = 1; i < items.length; i++) {
    const q = items[i]!;
    if (isUnbounded(q) && chars(q).intersects(first.set)) {
      if (items.slice(i + 1).some((x) => !nullable(x))) return { kind: "rescan", detail: "searched at every position, an unbounded quantifier rescans the rest of the input from each occurrence of the leading character (quadratic time)" };
      return null;
    }
    if (!nullable(items[i]!) && items[i]!.kind !== "chars") return null;
  }
  return null;
}
