/**
 * Verdict changes under a meaning-preserving rewrite that are known and not yet fixed, one entry
 * per mechanism (never per program). The invariance test fails on any other change, and on an
 * entry that no longer happens (so a fix must delete its entry). docs/vuln/metamorphic.md explains
 * each with a minimal example.
 */
export interface KnownGap {
  transform: string;
  /** Verdict keys (`analyzer test_id severity/confidence`) this gap may add or remove. */
  keys: RegExp;
  /** Where the gap shows: the fixtures (always checked) or only the shared datasets. */
  seenIn: "fixtures" | "datasets";
  reason: string;
}

export const KNOWN_GAPS: readonly KnownGap[] = [
  // Bandit's own definitions (the rules analyzer reproduces Bandit's checks).
  { transform: "rename-neutral", keys: /^rules B10[5-7] /, seenIn: "fixtures", reason: "Bandit's hardcoded-password rules are defined by the names `password`, `secret`, `token`, ..." },
  // Owned by the sensitive-exposure check's author.
  { transform: "rename-neutral", keys: /^(vuln VULN-CWE-(209|532) |rules B105 )/, seenIn: "fixtures", reason: "sensitive-exposure check decides a secret by the variable's name (and Bandit's B105)" },
  // Owned by the weak-crypto check's author (fp-review); delete when that branch fixes it.
  // Taint sources: Django's request recognised by the parameter's name.
  { transform: "rename-neutral", keys: /^vuln VULN-CWE-79 /, seenIn: "fixtures", reason: "a view function's `request` parameter is a source by its name" },
];

export function explains(gap: KnownGap, transform: string, changed: readonly string[]): boolean {
  return gap.transform === transform && changed.every((k) => gap.keys.test(k));
}
