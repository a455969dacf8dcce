/**
 * Module-level prefilters for call rules (`Rule.appliesTo`).
 *
 * Why they are sound: a call's qualified name is assembled only from identifiers written in the
 * file, at the call itself or in the import that binds its head (`from os import system as run`
 * still spells `system`). So a rule that can only fire for callees in a list cannot fire in a file
 * whose text contains the last component of none of them; the same holds for a keyword argument a
 * rule requires (`shell=True` spells `shell`). String values are never used as triggers: escapes and
 * implicit concatenation let a string mean text it does not spell. Callee names read from strings,
 * `getattr(os, "sys" + "tem")` or `vars(os)["system"]`, are why the engine runs every rule on a
 * file that may look names up that way (`mayLookUpByString`, RuleEngine.tableFor).
 */

const GLOB = /[*?[\]]/;
const wordsCache = new WeakMap<readonly string[], readonly string[] | null>();

/**
 * The last component of each dotted name that contains no glob character, or null when some name
 * has no such component (then nothing can be ruled out).
 */
export function calleeWords(names: readonly string[]): readonly string[] | null {
  const cached = wordsCache.get(names);
  if (cached !== undefined) return cached;
  const out = new Set<string>();
  let words: readonly string[] | null = null;
  for (const name of names) {
    const parts = name.split(".").filter((p) => p !== "" && !GLOB.test(p));
    if (parts.length === 0) {
      wordsCache.set(names, null);
      return null;
    }
    out.add(parts[parts.length - 1]!);
  }
  // "Some word occurs" is unchanged by dropping a word that contains another one (`execle` occurs
  // only where `execl` does), and the shell lists shrink from 36 words to a dozen.
  const all = [...out];
  words = all.filter((w) => !all.some((other) => other !== w && w.includes(other)));
  wordsCache.set(names, words);
  return words;
}

// The engine asks every prefilter about one module in turn, and the shell rules share their word
// lists: each word's answer is kept for the module being asked about (one full-text search each).
let askedSource: string | null = null;
const answers = new Map<string, boolean>();

/** True when `source` contains one of `words` (always true for null: no prefilter possible). */
export function mentionsAny(source: string, words: readonly string[] | null): boolean {
  if (words === null) return true;
  if (source !== askedSource) {
    askedSource = source;
    answers.clear();
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let found = answers.get(w);
    if (found === undefined) answers.set(w, (found = source.includes(w)));
    if (found) return true;
  }
  return false;
}

/** `appliesTo` for a rule whose hits all call one of `names`. */
export function callsOneOf(names: readonly string[]): (source: string) => boolean {
  const words = calleeWords(names);
  return (source) => mentionsAny(source, words);
}
