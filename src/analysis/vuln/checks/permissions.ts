/**
 * CWE-732 (and its child CWE-276 / sibling CWE-281): permissions that let other users write
 * files or folders the program owns.
 *
 * - `os.chmod/lchmod/fchmod(x, MODE)` and `path.chmod(MODE)` with a constant mode that grants
 *   write to others (o+w), or write to the group together with the set-uid/set-gid bit. These set
 *   the permissions exactly: the umask does not filter them (the sinks CodeQL's
 *   overly-permissive-file query and Bandit's B103 model).
 * - `os.umask(MASK)` whose mask lets new files be created writable by others (`umask(0)`), unless
 *   it is the read-and-restore idiom (`old = os.umask(0); os.umask(old)`) with nothing created in
 *   between.
 * - Creation modes (`os.open(p, flags, 0o777)`, `os.mkdir(p, 0o777)`, `makedirs`, `Path.mkdir`,
 *   `Path.touch`) are filtered by the umask (0o777 is these calls' own default), so they are
 *   reported only after a permissive umask in the same function.
 *
 * Modes are evaluated from integer literals (`0o777`, `511`), `stat.S_I*` constants and `|`/`+`
 * of them; a mode computed at run time (copied from another file's `st_mode`) is not reported.
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeObject, calleeTail, dottedName, enclosingFunction, ofTypes, unwrap, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { defUseOf, finding, liveNodesOfType, type CheckInput } from "./types.js";

const NAME = "permissive_file_permissions";

const STAT_BITS: Record<string, number> = {
  S_ISUID: 0o4000, S_ISGID: 0o2000, S_ISVTX: 0o1000,
  S_IRWXU: 0o700, S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100, S_IREAD: 0o400, S_IWRITE: 0o200, S_IEXEC: 0o100,
  S_IRWXG: 0o070, S_IRGRP: 0o040, S_IWGRP: 0o020, S_IXGRP: 0o010,
  S_IRWXO: 0o007, S_IROTH: 0o004, S_IWOTH: 0o002, S_IXOTH: 0o001,
};

/** Constant value of a permission mode expression, else null. */
export function modeValue(node: Node): number | null {
  const n = unwrap(node);
  if (n.type === "integer") {
    const t = n.text.replace(/_/g, "").toLowerCase();
    if (/^0o[0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
    if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
    if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8); // Python 2 octal
    if (/^\d+$/.test(t)) return parseInt(t, 10);
    return null;
  }
  if (n.type === "attribute" || n.type === "identifier") {
    const name = n.type === "attribute" ? n.childForFieldName("attribute")?.text ?? "" : n.text;
    return STAT_BITS[name] ?? null;
  }
  if (n.type === "binary_operator") {
    const op = n.childForFieldName("operator")?.type;
    const l = n.childForFieldName("left");
    const r = n.childForFieldName("right");
    if (!l || !r || (op !== "|" && op !== "+")) return null;
    const a = modeValue(l);
    const b = modeValue(r);
    return a === null || b === null ? null : a | b;
  }
  return null;
}

const octal = (m: number) => `0o${m.toString(8)}`;

function modeRisk(mode: number): string | null {
  if (mode & 0o002) return `${octal(mode)} lets every local user write it`;
  if (mode & 0o020 && mode & 0o6000) return `${octal(mode)} lets the group write a set-uid/set-gid file`;
  return null;
}

const CHMOD = /^(os\.(l|f)?chmod|posix\.chmod)$/;
const CREATE: Record<string, number> = { "os.open": 2, "os.mkdir": 1, "os.makedirs": 1 };

export function checkPermissions(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const report = (node: Node, text: string) => out.push(finding(input, node, { cwe: 732, name: NAME, severity: "MEDIUM", confidence: "HIGH", text }));
  for (const call of liveNodesOfType(input, ["call"])) {
    const callee = qualifiedCallee(call, input.aliases) ?? "";
    const args = callArgs(call);
    if (CHMOD.test(callee) || (calleeTail(call) === "chmod" && !callee.startsWith("os.") && args.positional.length === 1)) {
      const modeArg = args.keywords.get("mode") ?? args.positional[CHMOD.test(callee) ? 1 : 0];
      const mode = modeArg ? modeValue(modeArg) : null;
      const risk = mode === null ? null : modeRisk(mode);
      const target = CHMOD.test(callee) ? args.positional[0] : calleeObject(call);
      if (risk && !(target && removedAfter(call, target, input))) report(call, `chmod to ${risk}: another account can replace its contents`);
    } else if (/^os\.umask$/.test(callee)) {
      const mask = args.positional[0] ? modeValue(args.positional[0]) : null;
      if (mask === null || mask & 0o002) continue;
      if (isUmaskRead(call, input)) continue;
      report(call, `umask(${octal(mask)}) makes every file and folder the process creates writable by other users`);
    } else {
      const pos = CREATE[callee] ?? (["mkdir", "touch"].includes(calleeTail(call)) && !callee.startsWith("os.") ? 0 : undefined);
      if (pos === undefined) continue;
      const modeArg = args.keywords.get("mode") ?? args.positional[pos];
      const mode = modeArg ? modeValue(modeArg) : null;
      const risk = mode === null ? null : modeRisk(mode);
      if (risk && permissiveUmaskBefore(call, input)) report(call, `created with mode ${risk} (the umask set earlier no longer filters it)`);
    }
  }
  return out;
}

/** Statements of the block holding `node`, and the index of the statement that contains it. */
function statementOf(node: Node): { block: Node; index: number } | null {
  let child: Node = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.type === "block" || p.type === "module") {
      const stmts = p.namedChildren;
      return { block: p, index: stmts.findIndex((s) => s.id === child.id) };
    }
  }
  return null;
}

const CREATES = /^(open|os\.open|os\.mkdir|os\.makedirs|os\.mkfifo|os\.mknod|tempfile\.\w+|shutil\.\w+|io\.open|builtins\.open)$|\.(mkdir|touch|write_text|write_bytes|open)$/;

/** `old = os.umask(0)` restored by `os.umask(old)` later in the same block, creating nothing in between. */
function isUmaskRead(call: Node, input: CheckInput): boolean {
  const assign = call.parent?.type === "assignment" ? call.parent : null;
  const saved = assign?.childForFieldName("left");
  if (!saved || saved.type !== "identifier") return false;
  const at = statementOf(call);
  if (!at) return false;
  const stmts = at.block.namedChildren;
  for (let i = at.index + 1; i < stmts.length; i++) {
    const stmt = stmts[i]!;
    for (const c of ofTypes(stmt, ["call"])) {
      const callee = qualifiedCallee(c, input.aliases) ?? "";
      if (callee === "os.umask" && unwrap(callArgs(c).positional[0] ?? c).text === saved.text) return true;
      if (CREATES.test(callee)) return false;
    }
  }
  // try: ... finally: os.umask(old) — the restore sits in the enclosing try's finally clause.
  for (let p = at.block.parent; p; p = p.parent) {
    if (p.type !== "try_statement") continue;
    const fin = p.namedChildren.find((c) => c.type === "finally_clause");
    if (fin && ofTypes(fin, ["call"]).some((c) => qualifiedCallee(c, input.aliases) === "os.umask" && unwrap(callArgs(c).positional[0] ?? c).text === saved.text)) {
      return !stmts.slice(at.index + 1).some((s) => ofTypes(s, ["call"]).some((c) => CREATES.test(qualifiedCallee(c, input.aliases) ?? "")));
    }
  }
  return false;
}

/** Is there an `os.umask(M)` with M & o+w clear earlier in the same function (or module)? */
function permissiveUmaskBefore(call: Node, input: CheckInput): boolean {
  const scope = enclosingFunction(call) ?? call.tree.rootNode;
  for (const c of ofTypes(scope, ["call"])) {
    if (c.startIndex >= call.startIndex) break;
    if (qualifiedCallee(c, input.aliases) !== "os.umask") continue;
    const mask = callArgs(c).positional[0] ? modeValue(callArgs(c).positional[0]!) : null;
    if (mask !== null && !(mask & 0o002)) return true;
  }
  return false;
}

const REMOVES = /^(os\.(remove|unlink|rmdir)|shutil\.rmtree)$/;

/**
 * `os.chmod(p, 0o777); os.remove(p)`: making a read-only file deletable (Windows, rmtree error
 * handlers) right before deleting it leaves no permissive file behind.
 */
function removedAfter(call: Node, target: Node, input: CheckInput): boolean {
  const scope = enclosingFunction(call);
  if (!scope) return false;
  const text = unwrap(target).text;
  const du = defUseOf(input, scope);
  // `nuker = shutil.rmtree if isdir else os.unlink; nuker(p)`: a variable bound only to removers.
  const removerVariable = (name: string) => {
    const values = du.assignedValues.get(name) ?? [];
    return values.length > 0 && values.every((v) => unwrap(v).type !== "call" && [unwrap(v), ...ofTypes(unwrap(v), ["attribute"])].some((x) => REMOVES.test(qualifiedName(x, input))));
  };
  return ofTypes(scope, ["call"]).some((c) => {
    if (c.startIndex <= call.startIndex) return false;
    const fnNode = c.childForFieldName("function");
    const callee = fnNode?.type === "identifier" && removerVariable(fnNode.text) ? "os.remove" : (qualifiedCallee(c, input.aliases) ?? "");
    if (REMOVES.test(callee)) return unwrap(callArgs(c).positional[0] ?? c).text === text;
    const tail = calleeTail(c);
    if (!["unlink", "rmdir", "rmtree", "remove"].includes(tail)) return false;
    // path.unlink(), or a helper of that name given the path (`unlink(TESTFN)` in a finally clause).
    const receiver = calleeObject(c);
    return (receiver !== null && unwrap(receiver).text === text) || (receiver === null && unwrap(callArgs(c).positional[0] ?? c).text === text);
  });
}

function qualifiedName(n: Node, input: CheckInput): string {
  const dotted = dottedName(n);
  if (!dotted) return "";
  const [head, ...rest] = dotted.split(".");
  const resolved = input.aliases.get(head!);
  return resolved ? [resolved, ...rest].join(".") : dotted;
}
