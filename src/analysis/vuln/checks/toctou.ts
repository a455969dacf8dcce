/**
 * CWE-367: time-of-check, time-of-use races on file paths.
 *
 * A condition that asks the file system about a path (`os.path.exists/isfile/isdir/islink/lexists`,
 * `os.access`, `Path.exists/is_file/is_dir`) guards a later operation on the same path expression
 * (`open`, `os.remove/unlink/rename/replace/chmod/chown/mkdir/makedirs/rmdir`, `shutil.*`, the
 * `Path` methods that open, write or delete). Between the two, another process can create, delete
 * or swap the path for a symbolic link, so the answer no longer describes the file used.
 *
 * Reported:
 * - `os.access()` guarding any use (Python's documentation warns of exactly this; setuid-style
 *   programs use it to ask "may the real user touch this?");
 * - an existence/type check guarding a write, create or delete, in task code (parameters are input)
 *   or when the path derives from remote input or sits in a shared temporary folder;
 * - in task code, an existence check guarding a read as well.
 * Not reported: the use opens with `O_EXCL` or `O_NOFOLLOW` (`os.open`) or mode `"x"` (atomic
 * create), or the check is on another expression. A plain scan of library code that tidies its own
 * files (`if os.path.exists(p): os.remove(p)`) is not reported: no other party chooses those paths.
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeObject, calleeTail, enclosingFunction, ofTypes, stringValue, unwrap, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { guardsAt } from "./dominance.js";
import { derivesFromUntrusted } from "./remote-input.js";
import { defUseOf, finding, liveNodesOfType, parametersAreInput, type CheckInput } from "./types.js";

const NAME = "file_check_then_use_race";
const CHECK_FUNCS = new Set(["os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.islink", "os.path.lexists", "os.access", "posixpath.exists", "genericpath.exists"]);
const CHECK_METHODS = new Set(["exists", "is_file", "is_dir", "is_symlink"]);
const WRITE_FUNCS = new Set(["os.remove", "os.unlink", "os.rename", "os.replace", "os.rmdir", "os.removedirs", "os.chmod", "os.chown", "os.lchown", "os.mkdir", "os.makedirs", "os.symlink", "os.link", "os.truncate", "os.mkfifo", "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move", "shutil.rmtree"]);
const WRITE_METHODS = new Set(["write_text", "write_bytes", "unlink", "rename", "replace", "mkdir", "touch", "chmod", "rmdir", "symlink_to", "hardlink_to"]);
const READ_METHODS = new Set(["open", "read_text", "read_bytes"]);

interface Use {
  call: Node;
  path: Node;
  writes: boolean;
}

export function checkToctou(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const taskCode = parametersAreInput(input.context);
  for (const use of liveNodesOfType(input, ["call"]).map((c) => useOf(c, input)).filter((u): u is Use => u !== null)) {
    const pathText = unwrap(use.path).text;
    for (const guard of guardsAt(use.call)) {
      const check = ofTypes(guard.condition, ["call"]).concat(guard.condition.type === "call" ? [guard.condition] : []).find((c) => checkedPath(c, input)?.text === pathText);
      if (!check) continue;
      // os.access(p, F_OK) only asks whether p exists; the permission questions are the classic race.
      const isAccess = /(^|\.)access$/.test(qualifiedCallee(check, input.aliases) ?? "") && !/F_OK$/.test(callArgs(check).positional[1]?.text ?? "");
      const shared = () => derivesFromUntrusted(use.path, input) || inSharedTemp(use.path, input);
      const report = isAccess || (use.writes && (taskCode || shared())) || (taskCode && !use.writes);
      if (!report) continue;
      out.push(
        finding(input, use.call, {
          cwe: 367,
          name: NAME,
          severity: "MEDIUM",
          confidence: isAccess ? "HIGH" : "MEDIUM",
          text: `${pathText} is checked (line ${check.startPosition.row + 1}) and then used here: another process can swap it in between (a symlink, a new file). Open it once and use the handle, or open with O_EXCL/O_NOFOLLOW or mode "x"`,
        }),
      );
      break;
    }
  }
  return out;
}

/** The path a file-system query asks about, when `call` is one. */
function checkedPath(call: Node, input: CheckInput): Node | null {
  const callee = qualifiedCallee(call, input.aliases) ?? "";
  if (CHECK_FUNCS.has(callee)) return callArgs(call).positional[0] ?? callArgs(call).keywords.get("path") ?? null;
  if (CHECK_METHODS.has(calleeTail(call)) && callArgs(call).positional.length === 0) return calleeObject(call);
  return null;
}

function useOf(call: Node, input: CheckInput): Use | null {
  const callee = qualifiedCallee(call, input.aliases) ?? "";
  const args = callArgs(call);
  const first = args.positional[0] ?? args.keywords.get("file") ?? args.keywords.get("path") ?? args.keywords.get("src");
  if (callee === "open" || callee === "io.open" || callee === "builtins.open" || callee === "codecs.open") {
    if (!first) return null;
    const modeArg = args.keywords.get("mode") ?? args.positional[1];
    const mode = (modeArg && stringValue(modeArg)) ?? "r";
    if (mode.includes("x")) return null;
    return { call, path: first, writes: /[wa+]/.test(mode) };
  }
  if (callee === "os.open") {
    const flags = (args.positional[1] ?? args.keywords.get("flags"))?.text ?? "";
    if (!first || /O_EXCL|O_NOFOLLOW/.test(flags)) return null;
    return { call, path: first, writes: /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(flags) };
  }
  if (WRITE_FUNCS.has(callee) && first) return { call, path: first, writes: true };
  if (callee.startsWith("os.") || callee.startsWith("shutil.")) return null;
  const tail = calleeTail(call);
  const receiver = calleeObject(call);
  if (!receiver) return null;
  if (WRITE_METHODS.has(tail)) return { call, path: receiver, writes: true };
  if (READ_METHODS.has(tail)) {
    const modeArg = args.keywords.get("mode") ?? args.positional[0];
    const mode = (modeArg && stringValue(modeArg)) ?? "r";
    if (mode.includes("x")) return null;
    return { call, path: receiver, writes: /[wa+]/.test(mode) };
  }
  return null;
}

/** Does the path (or what its names were assigned) name a world-writable temporary folder? */
function inSharedTemp(path: Node, input: CheckInput): boolean {
  const texts = [path.text];
  const fn = enclosingFunction(path);
  if (fn) {
    const du = defUseOf(input, fn);
    for (const n of du.closure(ofTypes(path, ["identifier"]).map((i) => i.text).concat(path.type === "identifier" ? [path.text] : []))) {
      for (const v of du.assignedValues.get(n) ?? []) texts.push(v.text);
    }
  }
  return texts.some((t) => /["'](\/tmp|\/var\/tmp|\/dev\/shm)\b|gettempdir\(\)/.test(t));
}
