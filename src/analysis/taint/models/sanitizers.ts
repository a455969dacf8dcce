import type { DecoderModel, SanitizerModel, ValidatorModel, ViewModel } from "./types.js";

const INJECTION_TEXT = ["injection", "xss", "sql-injection", "command-injection", "ldap-injection", "xpath-injection", "code-injection"] as const;

export const SANITIZERS: SanitizerModel[] = [
  // Values that cannot carry attacker-chosen text.
  { callees: ["int", "float", "bool", "complex", "len", "abs", "round", "hash", "id", "ord", "isinstance", "issubclass", "callable", "type", "range", "decimal.Decimal", "uuid.UUID", "datetime.date.fromisoformat", "datetime.datetime.fromisoformat", "datetime.datetime.strptime", "ipaddress.ip_address", "os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.getsize", "math.floor", "math.ceil"], clears: "all", rationale: "Numbers, booleans, types and parsed dates/addresses hold no free text." },
  { callees: ["hashlib.md5", "hashlib.sha1", "hashlib.sha256", "hashlib.sha512", "hashlib.new", "hmac.new", "hmac.compare_digest", "secrets.compare_digest", "zlib.crc32"], clears: "all", rationale: "Digests map input to a fixed-size value in a harmless alphabet; nothing of the input can be recovered." },
  { callees: ["binascii.hexlify", "binascii.b2a_hex", "binascii.b2a_base64", "base64.b64encode", "base64.urlsafe_b64encode", "base64.b32encode", "base64.b16encode", "base64.encodebytes"], clears: "all", reversible: true, rationale: "Encodings map input to a harmless alphabet, but decoding gives it back: a decoder (DECODERS) restores every class." },
  { methods: ["hexdigest", "digest", "isdigit", "isalnum", "isalpha", "isnumeric", "isdecimal", "isidentifier", "isspace", "startswith", "endswith", "count", "find", "rfind", "index", "rindex", "__len__", "bit_length"], clears: "all", rationale: "These methods return booleans, numbers or digests." },
  { callees: ["ast.literal_eval", "json.loads", "json.load", "yaml.safe_load", "tomllib.loads"], clears: ["code-injection", "deserialization"], rationale: "Data-only parsers: they build plain values, never run code (the values themselves stay tainted for other classes)." },
  // Escapers, per class.
  { callees: ["html.escape", "cgi.escape", "markupsafe.escape", "flask.escape", "jinja2.escape", "django.utils.html.escape", "django.utils.html.conditional_escape", "bleach.clean", "xml.sax.saxutils.escape", "xml.sax.saxutils.quoteattr", "werkzeug.utils.escape", "markupsafe.Markup.escape"], clears: ["xss", "injection"], rationale: "HTML/XML escaping neutralizes markup." },
  { callees: ["flask.render_template", "django.shortcuts.render", "flask.jsonify", "json.dumps"], clears: ["xss"], rationale: "Autoescaped templates and JSON responses do not inject markup into HTML." },
  { callees: ["flask.send_file", "flask.send_from_directory", "flask.redirect", "werkzeug.utils.redirect", "flask.url_for", "django.shortcuts.redirect"], clears: ["xss"], rationale: "File and redirect responses are not HTML built from the value (their own sinks cover traversal and redirects)." },
  { callees: ["shlex.quote", "pipes.quote", "shellescape.quote"], clears: ["command-injection", "injection"], rationale: "Shell quoting makes the value one literal word." },
  { callees: ["shlex.join"], clears: ["command-injection", "injection"], rationale: "Joins words with shell quoting." },
  { callees: ["os.path.basename", "werkzeug.utils.secure_filename", "werkzeug.secure_filename", "django.utils.text.get_valid_filename", "pathvalidate.sanitize_filename"], clears: ["path-traversal"], rationale: "A bare file name cannot climb out of its folder." },
  { callees: ["os.listdir", "os.scandir"], clears: ["path-traversal"], rationale: "Entries of a folder listing are names that exist in it: no separator, no '..'." },
  { callees: ["urllib.parse.quote", "urllib.parse.quote_plus", "urllib.parse.urlencode", "urllib.quote", "urllib.urlencode", "requests.utils.quote"], clears: ["xss", "sql-injection", "command-injection", "injection", "ssrf", "ldap-injection", "xpath-injection", "code-injection"], rationale: "Percent-encoding leaves no quotes, angle brackets, spaces or separators. Not a path sanitizer (keeps '/'), and not an open-redirect one: a URL passed as a `next=`/`return=` parameter is still where the user ends up." },
  { callees: ["re.escape"], clears: ["regex-injection"], rationale: "Escaped text matches only itself." },
  { callees: ["ldap.filter.escape_filter_chars", "ldap3.utils.conv.escape_filter_chars", "ldap.dn.escape_dn_chars", "ldap3.utils.dn.escape_rdn"], clears: ["ldap-injection"], rationale: "LDAP filter/DN escaping." },
  { callees: ["sympy.sympify", "sympy.parse_expr", "numexpr.evaluate", "simpleeval.simple_eval"], clears: ["code-injection"], rationale: "Expression evaluators that do not run arbitrary Python (sympify still evals; accepted as the conventional replacement)." },
  { callees: ["defusedxml.ElementTree.fromstring", "defusedxml.lxml.fromstring", "defusedxml.minidom.parseString", "defusedxml.ElementTree.parse"], clears: ["xxe"], rationale: "defusedxml forbids entities." },
];

/** Boolean checks that validate a value when they are true (guards). */
export const VALIDATORS: ValidatorModel[] = [
  { methods: ["isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha", "isidentifier"], checked: "receiver", clears: "all", rationale: "Only digits/letters remain: no quotes, separators or markup." },
  { callees: ["re.fullmatch", "regex.fullmatch"], checked: { pos: 1, kw: "string" }, clears: "all", rationale: "The whole value matches an allow-list pattern." },
  { callees: ["re.match", "re.search", "regex.match", "regex.search"], checked: { pos: 1, kw: "string" }, requiresAnchoredPattern: { pos: 0, kw: "pattern" }, clears: "all", rationale: "A pattern anchored at both ends is an allow-list for the whole value." },
  { methods: ["fullmatch"], checked: { pos: 0, kw: "string" }, clears: "all", rationale: "Compiled pattern matching the whole value." },
  { methods: ["match", "search"], checked: { pos: 0, kw: "string" }, requiresAnchoredPattern: { pos: -1, kw: "" }, clears: "all", rationale: "Compiled pattern anchored at both ends (pattern resolved from its re.compile)." },
  { callees: ["django.utils.http.url_has_allowed_host_and_scheme", "django.utils.http.is_safe_url"], checked: { pos: 0, kw: "url" }, clears: ["open-redirect", "ssrf"], rationale: "Django's host allow-list check." },
  { methods: ["is_relative_to"], checked: "receiver", clears: ["path-traversal"], requiresNormalized: true, rationale: "pathlib containment check; only on a resolved path (`Path('base/../x')` is lexically under `base`)." },
  { methods: ["relative_to"], checked: "receiver", clears: ["path-traversal"], requiresNormalized: true, raises: true, rationale: "Raises ValueError unless the resolved path lies under the base: code after it only sees contained paths." },
];

/** Calls whose result is a view of their first argument (or receiver): checks on the view apply to it. */
export const VIEWS: ViewModel[] = [
  { callees: ["urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse", "urlparse.urlsplit", "urllib3.util.parse_url", "yarl.URL", "furl.furl"], rationale: "Parsed URL: checking its host/scheme checks the URL." },
  { callees: ["os.path.realpath", "os.path.abspath", "os.path.normpath", "os.path.normcase", "pathlib.Path", "pathlib.PurePath", "os.fspath"], normalizesPath: true, rationale: "Normalized path: a prefix check on it is a containment check." },
  { methods: ["resolve", "absolute"], normalizesPath: true, rationale: "pathlib resolution." },
  { methods: ["lower", "upper", "casefold", "strip", "lstrip", "rstrip", "geturl", "decode", "encode"], rationale: "Same text, other case, trimmed or re-encoded." },
  { methods: ["split", "rsplit"], rationale: "The parts of the text: `'..' in p.split('/')` checks p itself." },
  { callees: ["str", "ast.parse", "ast.walk"], rationale: "Same value as text, or the parsed tree of the text." },
];

/**
 * Decoders and canonicalizers (CWE-179/180): checks and escaping applied before them no longer hold
 * for their result. Normalizing a path (normpath, realpath) is not one: it cannot create a `..` or
 * an absolute path out of text that had neither.
 */
export const DECODERS: DecoderModel[] = [
  { callees: ["urllib.parse.unquote", "urllib.parse.unquote_plus", "urllib.parse.unquote_to_bytes", "urllib.unquote", "urllib.unquote_plus", "requests.utils.unquote"], rationale: "Percent-decoding turns %2e%2e%2f into ../ and %0a into a line break." },
  { callees: ["html.unescape", "xml.sax.saxutils.unescape"], rationale: "Entity decoding turns &lt; back into <." },
  { callees: ["base64.b64decode", "base64.urlsafe_b64decode", "base64.b32decode", "base64.b16decode", "base64.decodebytes", "binascii.a2b_base64", "binascii.unhexlify", "binascii.a2b_hex", "codecs.decode", "bytes.fromhex"], rationale: "Decoded bytes can hold any character, whatever the encoded text was checked for." },
  { callees: ["os.path.expanduser", "os.path.expandvars", "posixpath.expanduser", "posixpath.expandvars"], methods: ["expanduser"], rationale: "`~` and `$VAR` expand to absolute paths elsewhere on the system." },
  { callees: ["unicodedata.normalize"], rationale: "NFKC/NFKD fold look-alike characters (U+FF0E, U+2024) into '.', '/' and '<' (CWE-180)." },
];

export const INJECTION_CLASSES = INJECTION_TEXT;
