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

/** Bandit's `check_id` then `get_test_id`: an id or a test name to an id, or undefined. */
export function resolveTestId(idOrName: string): string | undefined {
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
