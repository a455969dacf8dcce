/**
 * Is a local value a credential? Decided by where the value comes from and where it goes, never by
 * the local variable's or parameter's name (renaming a local changes nothing at run time, and the
 * metamorphic harness checks the verdict does not change either). Names that are data or another
 * program's API stay evidence: string keys (`form["password"]`, `os.environ["DB_TOKEN"]`),
 * attribute fields (`user.password`), keyword names of the callee (`connect(password=...)`), and the
 * text of the message the value is put into (`f"bad password {x}"`).
 *
 * - Sources: `getpass()`; environment variables whose key names a credential; a subscript or
 *   `.get()` with a credential key; an attribute field that names one.
 * - Sinks (the function hands the value on as a credential): a keyword argument whose keyword names
 *   one (`password=`, `token=`, `api_key=`); the key of `hmac.new`/`jwt.encode`/`jwt.decode`; a
 *   value stored under a credential key or an `Authorization`/`Cookie` header; `set_cookie`'s value.
 */
import { calleeTail, DefUse, descendants, unwrap, words, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";

const SECRET_WORDS = ["password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "ssn", "cvv", "pin", "credential", "credentials", "privatekey"];
const SECRET_PAIRS = [["api", "key"], ["private", "key"], ["secret", "key"], ["credit", "card"], ["card", "number"], ["access", "key"], ["auth", "token"], ["social", "security"]];
const NOT_THE_SECRET = new Set([
  "count", "length", "len", "type", "expiry", "expires", "ttl", "is", "has", "field", "name", "policy", "hint", "required", "set", "valid", "url", "id",
  "file", "filename", "path", "filepath", "dir", "directory", "env", "var", "header", "prefix", "suffix", "pattern", "regex", "kind", "pos", "position",
  "index", "idx", "offset", "line", "lineno", "col", "char", "chars", "class", "cls", "size", "format", "fmt", "mode", "label", "prompt", "option", "opt",
  "range", "span", "start", "end",
]);
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token)$/i;
/** Calls whose key argument is secret key material: (qualified callee, positional index, keyword). */
const KEY_ARGUMENTS: Array<[RegExp, number, string]> = [
  [/^hmac\.(new|digest)$/, 0, "key"],
  [/^jwt\.encode$/, 1, "key"],
  [/^jwt\.decode$/, 1, "key"],
];

/** Does a name that is data or another program's API (a key, a field, a keyword) name a credential? */
export function isSecretName(name: string, lexicalTokens = false): boolean {
  const w = words(name);
  if (w.some((x) => SECRET_WORDS.includes(x) && !(lexicalTokens && x === "token"))) {
    // "token_count", "password_length", "is_password_set" describe secrets without being them.
    // "token_file", "password_path", "secret_env" name where a secret lives, not the secret.
    return !w.some((x) => NOT_THE_SECRET.has(x));
  }
  for (const [a, b] of SECRET_PAIRS) {
    const i = w.indexOf(a!);
    if (i >= 0 && w[i + 1] === b) return true;
  }
  return false;
}

function stringKey(node: Node | null | undefined): string | null {
  if (!node) return null;
  const n = unwrap(node);
  if (n.type !== "string" || n.namedChildren.some((c) => c.type === "interpolation")) return null;
  return n.namedChildren.filter((c) => c.type === "string_content").map((c) => c.text).join("");
}

/**
 * Calls whose result still is their input's value (a re-encoding, a trimmed or joined text, a
 * copy): a credential passed through one is still the credential. Any other call makes a new
 * value from its arguments (a status code, a validity flag, a response), which is not the secret.
 */
const VALUE_PRESERVING_CALLS = new Set([
  "str", "repr", "bytes", "bytearray", "format", "encode", "decode", "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "join", "replace",
  "b64encode", "b64decode", "urlsafe_b64encode", "urlsafe_b64decode", "standard_b64encode", "b32encode", "b16encode", "hexlify", "unhexlify",
  "quote", "quote_plus", "unquote", "unquote_plus", "urlencode", "dumps", "copy", "deepcopy", "dict", "list", "tuple",
]);

/**
 * The nodes of `expr` whose value the expression carries: not the arguments of a call that makes a
 * new value, not a comparison or `not` (a flag), not the object a named field or a string key is
 * read from (`conn.password` carries the field, not `conn`). The call, attribute and subscript
 * nodes themselves are visited, so a source read there (`getpass()`, `user.password`) is seen.
 */
export function carriedNodes(expr: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [expr];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    if (n.type === "comparison_operator" || n.type === "not_operator" || n.type === "lambda") continue;
    if (n.type === "call") {
      const fn = n.childForFieldName("function");
      if (fn?.type === "attribute") stack.push(fn);
      if (!VALUE_PRESERVING_CALLS.has(calleeTail(n))) continue;
      if (fn?.type === "attribute") stack.push(fn.childForFieldName("object")!);
      for (const a of n.childForFieldName("arguments")?.namedChildren ?? []) stack.push(a.type === "keyword_argument" ? a.childForFieldName("value") ?? a : a);
      continue;
    }
    if (n.type === "attribute") {
      // A method's receiver is reached through its call above; a field's object is not carried.
      continue;
    }
    if (n.type === "subscript") {
      if (stringKey(n.childForFieldName("subscript")) === null) stack.push(n.childForFieldName("value")!);
      continue;
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return out;
}

/** Local names whose value `expr` carries (see carriedNodes). */
function carriedNames(expr: Node): Set<string> {
  const out = new Set<string>();
  for (const n of carriedNodes(expr)) if (n.type === "identifier") out.add(n.text);
  return out;
}

/** An expression that reads a credential from where credentials are kept. */
export function readsCredential(expr: Node, aliases: Map<string, string>, lexicalTokens = false): boolean {
  for (const n of carriedNodes(expr)) {
    if (n.type === "call") {
      const q = qualifiedCallee(n, aliases) ?? "";
      if (q === "getpass.getpass" || q === "getpass") return true;
      const tail = calleeTail(n);
      const first = n.childForFieldName("arguments")?.namedChildren[0];
      if ((tail === "get" || tail === "getenv" || tail === "pop") && isSecretName(stringKey(first) ?? "", lexicalTokens)) return true;
    } else if (n.type === "subscript") {
      if (isSecretName(stringKey(n.childForFieldName("subscript")) ?? "", lexicalTokens)) return true;
    } else if (n.type === "attribute") {
      // A field of a record (`user.password`, `settings.SECRET_KEY`), not a method being called.
      const isCallee = n.parent?.type === "call" && n.parent.childForFieldName("function")?.id === n.id;
      if (!isCallee && isSecretName(n.childForFieldName("attribute")?.text ?? "", lexicalTokens)) return true;
    }
  }
  return false;
}

/**
 * Every local name whose value the given names (transitively) carry, including themselves: the
 * def-use closure restricted to the parts of each assigned value that carry it (carriedNodes).
 */
export function carriedClosure(du: DefUse, names: Iterable<string>): Set<string> {
  // `x += y` keeps x's earlier value: its other definitions are followed as well.
  return du.closureBy(names, (n) => [...(du.assignedValues.get(n) ?? []), ...(du.loopSources.get(n) ?? [])].flatMap((v) => [...carriedNames(v)]));
}

function readsAny(expr: Node | null | undefined, names: Set<string>): boolean {
  if (!expr) return false;
  for (const n of carriedNames(expr)) if (names.has(n)) return true;
  return false;
}

/** Does the scope hand a value read from `names` on as a credential? */
export function handsOnAsCredential(scope: Node, names: Set<string>, aliases: Map<string, string>, lexicalTokens = false): boolean {
  for (const expr of credentialReceivers(scope, aliases, lexicalTokens)) if (readsAny(expr, names)) return true;
  return false;
}

interface Receivers {
  aliases: Map<string, string>;
  exprs: readonly Node[];
}
const receiversCache = [new WeakMap<Node, Receivers>(), new WeakMap<Node, Receivers>()];

/**
 * The expressions `scope` hands on as credentials: values of secret-named keyword arguments, dict
 * pairs and subscript stores, cookie values, and the key arguments of KEY_ARGUMENTS. They depend
 * on the scope alone, while the rules ask once per local name (B105 for every string a function
 * assigns), so they are found once per scope: asking per name walked the whole function each time.
 */
export function credentialReceivers(scope: Node, aliases: Map<string, string>, lexicalTokens = false): readonly Node[] {
  const cache = receiversCache[lexicalTokens ? 1 : 0]!;
  const hit = cache.get(scope);
  if (hit && hit.aliases === aliases) return hit.exprs;
  const exprs: Node[] = [];
  const add = (e: Node | null | undefined) => {
    if (e) exprs.push(e);
  };
  for (const n of descendants(scope)) {
    if (n.type === "keyword_argument") {
      if (isSecretName(n.childForFieldName("name")?.text ?? "", lexicalTokens)) add(n.childForFieldName("value"));
    } else if (n.type === "pair") {
      const key = stringKey(n.childForFieldName("key")) ?? "";
      if (isSecretName(key, lexicalTokens) || CREDENTIAL_HEADERS.test(key)) add(n.childForFieldName("value"));
    } else if (n.type === "assignment") {
      const left = n.childForFieldName("left");
      if (left?.type !== "subscript") continue;
      const key = stringKey(left.childForFieldName("subscript")) ?? "";
      if (isSecretName(key, lexicalTokens) || CREDENTIAL_HEADERS.test(key)) add(n.childForFieldName("right"));
    } else if (n.type === "call") {
      const args = n.childForFieldName("arguments")?.namedChildren.filter((c) => c.type !== "comment") ?? [];
      const positional = args.filter((a) => a.type !== "keyword_argument");
      const keyword = (k: string) => args.find((a) => a.type === "keyword_argument" && a.childForFieldName("name")?.text === k)?.childForFieldName("value");
      if (calleeTail(n) === "set_cookie") {
        add(positional[1]);
        add(keyword("value"));
      }
      const q = qualifiedCallee(n, aliases) ?? "";
      for (const [callee, index, kw] of KEY_ARGUMENTS) {
        if (!callee.test(q)) continue;
        add(positional[index]);
        add(keyword(kw));
      }
    }
  }
  cache.set(scope, { aliases, exprs });
  return exprs;
}

/**
 * A local name (`id`, an identifier in `scope`) holds a credential: it derives from a credential
 * source, or the scope hands it (or what it derives from) on as a credential. `lexicalTokens`: the
 * code is a tokenizer or parser, where "token" names a piece of text, not a credential.
 */
export function holdsCredential(id: Node, scope: Node, du: DefUse, aliases: Map<string, string>, lexicalTokens = false): boolean {
  const origins = carriedClosure(du, [id.text]);
  for (const name of origins) for (const v of du.assignedValues.get(name) ?? []) if (readsCredential(v, aliases, lexicalTokens)) return true;
  return handsOnAsCredential(scope, origins, aliases, lexicalTokens);
}

const PLACEHOLDER_TAIL = /(?:%[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGa]|\{[^{}]*\}|[\s:=('"\[,-])+$/;
const LEADS_INTO_VALUE = /(?:[:=]|\b(?:is|was|of|for))\s*$/i;
const LABEL = /(?:^|[^a-z])(password|passwd|passphrase|secret|token|api[ _-]?key|access[ _-]?key|private[ _-]?key|credentials?|card number|ssn|cvv)(?:\s+(?:is|was|of|for))?$/i;

/**
 * The credential word of the message text right before `n`'s place in the message, or null: what
 * the message says the value is. The place is the same under every spelling of the template:
 * `f"bad password {x}"`, `"bad password {}".format(x)`, `"bad password %s" % x`, and the argument
 * after a literal in a call (`print("token is", x)`).
 */
export function messageLabel(n: Node, statement: Node): string | null {
  const stop = statement.parent;
  for (let c: Node = n, p = n.parent; p && p.id !== stop?.id; c = p, p = p.parent) {
    if (p.type === "interpolation") {
      // f-string: the literal text before this field.
      const string = p.parent;
      let before = "";
      for (const part of string?.namedChildren ?? []) {
        if (part.id === p.id) break;
        if (part.type === "string_content") before = part.text;
        else if (part.type === "interpolation") before = "";
      }
      return labelOf(before);
    }
    if (p.type === "argument_list" && c.type !== "keyword_argument") {
      const call = p.parent;
      const fn = call?.childForFieldName("function");
      const template = fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "format" ? literalText(fn.childForFieldName("object")) : null;
      if (template !== null) return labelOf(textBeforePlaceholder(template, positionIn(p, c), FORMAT_FIELD));
      const args = p.namedChildren.filter((a) => a.type !== "comment");
      const at = args.indexOf(c);
      // A logging template and its arguments: `log.info("token %s for %s", t, user)`.
      const first = literalText(args[0]);
      if (at >= 1 && first !== null && /%(?!%)/.test(first)) return labelOf(textBeforePlaceholder(first, at - 1, PERCENT_FIELD));
      // A literal argument right before this one: `print("token is", x)`. It labels the value only
      // when it leads into it (`:`, `=`, `is`); `ValueError("Invalid private key", errors)` is a
      // message about the key followed by the details, not the key.
      const prev = args[at - 1];
      const text = prev ? literalText(prev) : null;
      return text === null || !LEADS_INTO_VALUE.test(text) ? null : labelOf(text);
    }
    if (p.type === "binary_operator" && p.childForFieldName("operator")?.text === "%" && p.childForFieldName("right")?.id === c.id) {
      const template = literalText(p.childForFieldName("left"));
      if (template === null) return null;
      // `"%s %s" % (a, b)`: the tuple element holding n; a single right operand is the first.
      const inner = unwrap(c);
      let index = 0;
      if (inner.type === "tuple") {
        const items = inner.namedChildren.filter((x) => x.type !== "comment");
        index = items.findIndex((x) => x.startIndex <= n.startIndex && n.endIndex <= x.endIndex);
      }
      return labelOf(textBeforePlaceholder(template, index, PERCENT_FIELD));
    }
  }
  return null;
}

const FORMAT_FIELD = /\{\{|\}\}|\{([^{}]*)\}/g;
const PERCENT_FIELD = /%%|%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.\d+)?[a-zA-Z]/g;

/** Index of `child` among the positional arguments of `args`. */
function positionIn(args: Node, child: Node): number {
  return args.namedChildren.filter((a) => a.type !== "comment" && a.type !== "keyword_argument" && a.type !== "dictionary_splat").findIndex((a) => a.id === child.id);
}

/** The text of a literal string without interpolations, or null. */
function literalText(node: Node | null | undefined): string | null {
  if (!node) return null;
  const n = unwrap(node);
  if (n.type === "concatenated_string") {
    const parts = n.namedChildren.map((c) => literalText(c));
    return parts.every((x) => x !== null) ? parts.join("") : null;
  }
  if (n.type !== "string" || n.namedChildren.some((c) => c.type === "interpolation")) return null;
  return n.namedChildren.filter((c) => c.type === "string_content").map((c) => c.text).join("");
}

/** The template's text before its `index`-th field (auto or explicit numbering), or "" if none. */
function textBeforePlaceholder(template: string, index: number, field: RegExp): string {
  if (index < 0) return "";
  // Only the text since the previous field, as an f-string's literal part before its field is.
  let auto = 0;
  let lastEnd = 0;
  for (const m of template.matchAll(field)) {
    if (m[0] === "{{" || m[0] === "}}" || m[0] === "%%") continue;
    const explicit = m[1] !== undefined && /^\d+/.test(m[1]) ? Number(/^\d+/.exec(m[1])![0]) : null;
    const named = m[1] !== undefined && explicit === null && m[1] !== "" && !/^[!:]/.test(m[1]);
    const at = named ? -1 : (explicit ?? auto++);
    if (at === index) return template.slice(lastEnd, m.index);
    lastEnd = m.index + m[0].length;
  }
  return "";
}

function labelOf(text: string): string | null {
  let t = text;
  for (let prev = ""; prev !== t; ) {
    prev = t;
    t = t.replace(PLACEHOLDER_TAIL, "");
  }
  const m = LABEL.exec(t);
  return m ? m[1]!.toLowerCase() : null;
}
