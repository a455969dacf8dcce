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
  {
    transform: "extract-helper",
    keys: /^rules B605 /,
    seenIn: "fixtures",
    reason:
      "The Bandit-compatible rules read one call at a time: a function value bound to a name and handed to a helper as a parameter is, inside the helper, a parameter called, not the callee it was bound to; one a helper returns is the helper's result, not a callee. The detector follows both (docs/vuln/README.md, functions handed to a function of the file, and function values it returns).",
  },
];

export function explains(gap: KnownGap, transform: string, changed: readonly string[]): boolean {
  return gap.transform === transform && changed.every((k) => gap.keys.test(k));
}
