import type { RuleOptions } from "./types.js";
import { BLACKLIST_TEST_ID, allRuleMetas, blacklistIds, resolveTestId } from "./registry.js";

/** Which test ids run: Bandit's --tests / --skips (ids or test names). */
export interface RuleSelection {
  tests?: readonly string[];
  skips?: readonly string[];
}

export class UnknownTestError extends Error {}

/**
 * Bandit's test_set rule for the built-in blacklist id: "B001" alone stands for every blacklist
 * id, "B001,B401" means just B401 (B001 is dropped once some blacklist id is named).
 */
function expandBlacklistId(ids: Set<string>): void {
  if (!ids.has(BLACKLIST_TEST_ID)) return;
  ids.delete(BLACKLIST_TEST_ID);
  const members = blacklistIds();
  if (!members.some((id) => ids.has(id))) for (const id of members) ids.add(id);
}

/** A predicate over test ids. Unknown ids or names are an error, as in Bandit. */
export function selectionPredicate(sel: RuleSelection = {}): (id: string) => boolean {
  const norm = (list: readonly string[] | undefined): Set<string> | null => {
    if (!list || list.length === 0) return null;
    const out = new Set<string>();
    for (const raw of list) {
      const t = raw.trim();
      if (!t) continue;
      const id = resolveTestId(t);
      if (!id) throw new UnknownTestError(`unknown test id or name: ${t}`);
      out.add(id);
    }
    expandBlacklistId(out);
    return out.size > 0 ? out : null;
  };
  const tests = norm(sel.tests);
  const skips = norm(sel.skips);
  return (id: string) => (tests === null || tests.has(id)) && (skips === null || !skips.has(id));
}

/** All known ids that a selection enables. */
export function enabledIds(sel: RuleSelection = {}): string[] {
  const pred = selectionPredicate(sel);
  return allRuleMetas().map((m) => m.id).filter(pred);
}

/** Per-rule options from a config file, keyed by config section (Bandit's plugin names). */
export type RuleOptionsByKey = Record<string, RuleOptions>;
