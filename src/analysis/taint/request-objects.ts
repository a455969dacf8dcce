/**
 * Request objects built before they are sent (`urllib.request.Request(url, data=body)`): the URL is
 * where the server goes, the body and headers are only what it sends. When the object reaches
 * `urlopen`, only the URL's taint may count as server-side request forgery or an open redirect; the
 * rest stays tainted for every other class (a header value can still split a header).
 */
import { clear, union, unionAll, type Taint } from "./facts.js";
import { CLASS_BIT } from "./models/index.js";

/** Constructor -> where its URL argument is (position, keyword). */
const REQUEST_CONSTRUCTORS = new Map<string, { pos: number; kw: string }>([
  ["urllib.request.Request", { pos: 0, kw: "url" }],
  ["urllib2.Request", { pos: 0, kw: "url" }],
  ["requests.Request", { pos: 1, kw: "url" }],
  ["requests.models.Request", { pos: 1, kw: "url" }],
]);
const DESTINATION = CLASS_BIT.ssrf | CLASS_BIT["open-redirect"];

/** The taint of a request object built by `q`, or null when `q` builds none. */
export function requestObjectTaint(q: string | null, posTaints: Taint[], kwTaints: Map<string, Taint>, splat: Taint): Taint | null {
  const at = q === null ? undefined : REQUEST_CONSTRUCTORS.get(q);
  if (!at) return null;
  const url = kwTaints.get(at.kw) ?? posTaints[at.pos] ?? splat;
  const rest = unionAll([...posTaints.filter((_, i) => i !== at.pos), ...[...kwTaints].filter(([k]) => k !== at.kw).map(([, t]) => t)]);
  return union(url, clear(rest, DESTINATION));
}
