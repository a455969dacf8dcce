import type { Rule, RuleMeta } from "./types.js";
import { blacklistRules } from "./blacklist/index.js";
import { pluginRules } from "./plugins/index.js";

/**
 * Every rule the engine knows. Blacklist families live in ./blacklist; all other Bandit plugins
 * (B1xx, B2xx, B5xx, B6xx, B7xx) in ./plugins, whose index.ts exports `pluginRules` (owned by the
 * plugin authors, so the two sets grow without editing the same lines).
 */
export function allRules(): readonly Rule[] {
  return [...pluginRules, ...blacklistRules];
}

/** Every test id with its metadata (blacklist members expanded), sorted by id. */
export function allRuleMetas(): RuleMeta[] {
  const out: RuleMeta[] = [];
  for (const r of allRules()) {
    if (r.members) out.push(...r.members);
    else out.push(r);
  }
  // Plain code-unit order: ids are ASCII, and localeCompare would load ICU collation on first use.
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

let metaById: Map<string, RuleMeta> | null = null;
let idByName: Map<string, string> | null = null;

function indexes(): { metaById: Map<string, RuleMeta>; idByName: Map<string, string> } {
  if (!metaById || !idByName) {
    metaById = new Map();
    idByName = new Map();
    for (const m of allRuleMetas()) {
      metaById.set(m.id, m);
      idByName.set(m.name, m.id);
    }
  }
  return { metaById, idByName };
}

export function ruleMeta(id: string): RuleMeta | undefined {
  return indexes().metaById.get(id);
}

/**
 * Bandit's built-in blacklist test. It reports under its members' ids (B3xx/B4xx), never under
 * B001, but Bandit's `check_id` knows it: `--tests`/`--skips` take it as "every blacklist id", and
 * a `# nosec B001` names it (so it suppresses nothing, yet is not a blanket nosec either).
 */
export const BLACKLIST_TEST_ID = "B001";

/** The ids of Bandit's blacklist tests (B3xx/B4xx, not the B324 hashlib plugin). */
export function blacklistIds(): string[] {
  return allRules().flatMap((r) => (r.id === BLACKLIST_TEST_ID && r.members ? r.members.map((m) => m.id) : []));
}

/** Bandit's `check_id` then `get_test_id`: an id (B001 included) or a test name to an id, or undefined. */
export function resolveTestId(idOrName: string): string | undefined {
  if (idOrName === BLACKLIST_TEST_ID) return idOrName;
  const { metaById, idByName } = indexes();
  if (metaById.has(idOrName)) return idOrName;
  return idByName.get(idOrName);
}

/** Bandit's documentation page for a test id. */
const moreInfoByMeta = new WeakMap<RuleMeta, string>();

export function moreInfoUrl(meta: RuleMeta): string {
  if (meta.moreInfo) return meta.moreInfo;
  let url = moreInfoByMeta.get(meta);
  if (!url) {
    url = `https://bandit.readthedocs.io/en/latest/plugins/${meta.id.toLowerCase()}_${meta.name}.html`;
    moreInfoByMeta.set(meta, url);
  }
  return url;
}
