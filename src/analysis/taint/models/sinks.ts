import type { SinkModel, StoreSinkModel } from "./types.js";

const PATH_FUNCS = [
  "os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.rename", "os.replace", "os.makedirs", "os.mkdir",
  "os.listdir", "os.scandir", "os.chmod", "os.chown", "os.open", "os.truncate", "os.stat",
  "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move", "shutil.rmtree",
  "io.open", "codecs.open", "builtins.open", "tarfile.open", "zipfile.ZipFile",
];

export const SINKS: SinkModel[] = [
  // CWE-22 path traversal
  { class: "path-traversal", callees: ["open", "file"], args: [{ pos: 0, kw: "file" }], rationale: "Opening a path the user controls reads or writes files outside the intended folder." },
  { class: "path-traversal", callees: PATH_FUNCS, args: [{ pos: 0 }, { pos: 1 }], rationale: "File-system operations on a user-controlled path." },
  { class: "path-traversal", callees: ["flask.send_file", "flask.helpers.send_file", "django.http.FileResponse", "fastapi.responses.FileResponse", "starlette.responses.FileResponse"], args: [{ pos: 0, kw: "path_or_file" }, { kw: "path" }], rationale: "Serving a file named by the client." },
  { class: "path-traversal", methods: ["read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "mkdir", "touch", "open"], args: "receiver", receiverContains: ["Path", "path", "file", "dir"], rationale: "pathlib operations on a Path built from user input." },
  { class: "path-traversal", callees: ["os.path.exists", "os.path.lexists", "os.path.isfile", "os.path.isdir", "os.path.islink", "os.path.getsize", "os.path.getmtime", "os.access"], args: [{ pos: 0, kw: "path" }], taskOnly: true, rationale: "In a task about confining paths, probing a user-chosen path outside the folder is itself the leak (which files exist)." },
  { class: "path-traversal", methods: ["exists", "is_file", "is_dir", "stat", "lstat"], args: "receiver", taskOnly: true, rationale: "pathlib existence and metadata probes on a user-built Path, in a task about confining paths." },
  // CWE-77/78 command injection
  { class: "command-injection", callees: ["os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "commands.getoutput", "commands.getstatusoutput", "subprocess.getoutput", "subprocess.getstatusoutput", "popen2.popen2", "pty.spawn", "asyncio.create_subprocess_shell"], args: [{ pos: 0, kw: "cmd" }, { kw: "command" }], rationale: "These run their argument through a shell." },
  { class: "command-injection", callees: ["subprocess.call", "subprocess.run", "subprocess.Popen", "subprocess.check_output", "subprocess.check_call"], args: [{ pos: 0, kw: "args" }], requiresTruthyKeyword: "shell", rationale: "With shell=True the command string is parsed by /bin/sh; without it, arguments are not shell-interpreted." },
  { class: "command-injection", callees: ["os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.posix_spawn", "os.posix_spawnp"], args: "all", rationale: "The program to execute or its arguments are chosen by the user: the arguments may be a shell's `-c` command (`os.spawnlp(os.P_WAIT, \"sh\", \"sh\", \"-c\", cmd)`), and the spawn functions take the mode first, the exec-l forms each argument separately, so no fixed position covers them." },
  { class: "command-injection", callees: ["asyncio.create_subprocess_exec", "asyncio.subprocess.create_subprocess_exec"], args: [{ pos: 0, kw: "program" }], argvShell: true, rationale: "The program is chosen by the user, or the arguments start a shell (`\"sh\", \"-c\", cmd`) that parses one of them; other arguments reach no shell, as with subprocess without shell=True." },
  // CWE-79 XSS
  { class: "xss", callees: ["flask.render_template_string", "markupsafe.Markup", "flask.Markup", "jinja2.Markup", "django.utils.safestring.mark_safe", "django.http.HttpResponse", "flask.make_response", "flask.Response", "starlette.responses.HTMLResponse", "fastapi.responses.HTMLResponse"], args: [{ pos: 0, kw: "source" }, { kw: "content" }], rationale: "HTML built from user text and marked safe or sent as a response body is script injection." },
  // CWE-89 SQL injection
  { class: "sql-injection", methods: ["execute", "executemany", "executescript", "mogrify", "raw", "extra"], args: [{ pos: 0, kw: "sql" }, { kw: "query" }, { kw: "operation" }], rationale: "DB-API and ORM raw SQL: only the SQL string is a sink; bound parameters (the second argument) are safe." },
  { class: "sql-injection", callees: ["sqlalchemy.text", "pandas.read_sql", "pandas.read_sql_query"], args: [{ pos: 0, kw: "sql" }], rationale: "Raw SQL text." },
  // CWE-90 LDAP injection
  { class: "ldap-injection", methods: ["search_s", "search_st", "search_ext", "search_ext_s"], args: [{ pos: 2, kw: "filterstr" }, { pos: 0, kw: "base" }], rationale: "python-ldap search filters and base DNs." },
  { class: "ldap-injection", methods: ["search"], args: [{ pos: 1, kw: "search_filter" }, { pos: 0, kw: "search_base" }], receiverContains: ["conn", "ldap", "server"], rationale: "ldap3 Connection.search filter and base." },
  // CWE-94/95 code injection
  { class: "code-injection", callees: ["eval", "exec", "compile", "execfile", "__import__", "importlib.import_module", "builtins.eval", "builtins.exec"], args: [{ pos: 0, kw: "source" }, { kw: "name" }], rationale: "Evaluating or importing user-controlled code." },
  { class: "code-injection", methods: ["runsource", "runcode"], args: [{ pos: 0 }], rationale: "code.InteractiveInterpreter runs its argument." },
  // CWE-502 deserialization
  { class: "deserialization", callees: ["pickle.loads", "pickle.load", "pickle.Unpickler", "cPickle.loads", "cPickle.load", "_pickle.loads", "_pickle.load", "dill.loads", "dill.load", "marshal.loads", "marshal.load", "shelve.open", "jsonpickle.decode", "jsonpickle.loads", "yaml.unsafe_load", "yaml.unsafe_load_all", "pandas.read_pickle", "torch.load", "joblib.load"], args: [{ pos: 0 }, { kw: "data" }, { kw: "file" }], rationale: "Unpickling-style formats run code chosen by whoever wrote the data." },
  { class: "deserialization", callees: ["yaml.load", "yaml.load_all", "yaml.full_load"], args: [{ pos: 0, kw: "stream" }], safeWhenArg: { pos: 1, kw: "Loader", contains: ["SafeLoader", "CSafeLoader", "BaseLoader"] }, rationale: "yaml.load without a safe loader constructs arbitrary Python objects." },
  // CWE-601 open redirect
  { class: "open-redirect", callees: ["flask.redirect", "werkzeug.utils.redirect", "django.shortcuts.redirect", "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect", "starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse", "bottle.redirect"], args: [{ pos: 0, kw: "location" }, { kw: "url" }, { kw: "redirect_to" }, { kw: "to" }], rationale: "Redirecting to a user-chosen URL sends users to attacker sites." },
  // CWE-611 XXE (decided by parser: lxml resolves entities by default; the stdlib's expat does not load external entities since 3.7.1)
  { class: "xxe", callees: ["lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.parse", "lxml.etree.iterparse", "lxml.etree.XMLID"], args: [{ pos: 0, kw: "text" }, { kw: "source" }], safeWhenArg: { pos: 1, kw: "parser", contains: ["resolve_entities=False", "safe_parser", "defused"] }, rationale: "lxml's default parser resolves entities; parse untrusted XML with resolve_entities=False or defusedxml." },
  { class: "xxe", callees: ["xml.dom.pulldom.parseString", "xml.dom.pulldom.parse", "xml.sax.parseString", "xml.sax.parse"], args: [{ pos: 0 }], safeWhenArg: { kw: "parser", contains: ["defused"] }, rationale: "SAX/pulldom parsers can be configured to load external general entities; treated as XXE-prone like Bandit B317-B319." },
  // CWE-643 XPath injection
  { class: "xpath-injection", methods: ["xpath", "find", "findall", "findtext", "iterfind"], args: [{ pos: 0, kw: "_path" }, { kw: "path" }], receiverContains: ["tree", "root", "doc", "xml", "element", "etree", "node", "dom"], rationale: "An XPath built from user text changes the query; pass values as XPath variables instead." },
  { class: "xpath-injection", callees: ["lxml.etree.XPath", "lxml.etree.ETXPath"], args: [{ pos: 0, kw: "path" }], rationale: "Compiling a user-built XPath." },
  // CWE-918 SSRF
  { class: "ssrf", callees: ["requests.get", "requests.post", "requests.put", "requests.patch", "requests.delete", "requests.head", "requests.options", "httpx.get", "httpx.post", "httpx.put", "httpx.patch", "httpx.delete", "httpx.head", "httpx.stream", "urllib.request.urlopen", "urllib.request.Request", "urllib.request.urlretrieve", "urllib.urlopen", "urllib2.urlopen", "urllib2.Request", "http.client.HTTPConnection", "http.client.HTTPSConnection", "aiohttp.request"], args: [{ pos: 0, kw: "url" }], rationale: "The server fetches a URL the user chose (internal services, cloud metadata)." },
  { class: "ssrf", callees: ["requests.request", "httpx.request", "urllib3.request"], args: [{ pos: 1, kw: "url" }], rationale: "Generic request functions take the URL second." },
  { class: "ssrf", methods: ["urlopen", "request"], args: [{ pos: 1, kw: "url" }], receiverContains: ["pool", "http", "manager", "opener", "session", "client"], rationale: "urllib3 PoolManager.request(method, url) and opener objects." },
  { class: "ssrf", methods: ["get", "post", "put", "patch", "delete", "head", "stream"], args: [{ pos: 0, kw: "url" }], receiverContains: ["session", "client", "http"], rationale: "requests.Session / httpx.Client methods." },
  // CWE-1333 / 730 regex injection
  { class: "regex-injection", callees: ["re.compile", "re.match", "re.fullmatch", "re.search", "re.findall", "re.finditer", "re.sub", "re.subn", "re.split", "regex.compile", "regex.match", "regex.search"], args: [{ pos: 0, kw: "pattern" }], rationale: "A user-chosen pattern can backtrack catastrophically (ReDoS) or match more than intended; use re.escape." },
];

export const STORE_SINKS: StoreSinkModel[] = [
  { class: "trust-boundary", objects: ["flask.session"], attributes: ["session"], rationale: "Values in the session are trusted on later requests; unvalidated user data crosses the trust boundary (CWE-501)." },
  { class: "injection", attributes: ["headers"], rationale: "Response headers built from user text allow CRLF header injection (CWE-113, a CWE-74 child)." },
];
