/**
 * An argument vector that runs a shell on a command string: `["sh", "-c", cmd]`,
 * `["bash", "-c", ...]`, `["cmd.exe", "/c", ...]`, `["powershell", "-Command", ...]`. Without
 * `shell=True`, subprocess does not parse a list's items, but these lists hand one item to a shell
 * that does: a value spliced into it is command injection as surely as `os.system`. Recognised as a
 * list display, a name bound to one, or a list the function fills with `append`/`extend` whose
 * literal items name a shell and its command flag (both branches of a platform test included).
 */
import type { SyntaxNode } from "../python/cfg.js";
import { unparen, type FunctionInfo } from "./context.js";
import type { Program } from "./program.js";

const SHELLS = /^(?:.*[/\\])?(?:sh|bash|dash|zsh|ksh|ash|fish|cmd|cmd\.exe|powershell|powershell\.exe|pwsh)$/i;
const COMMAND_FLAGS = /^(?:-c|\/c|\/k|-command|-encodedcommand|-lc|-ic)$/i;

/** Whether `argv` (the first argument of a subprocess call) runs a shell on a command string. */
export function runsShellOnString(argv: SyntaxNode | undefined, fn: FunctionInfo | null, p: Program, depth = 0): boolean {
  if (!argv || depth > 4) return false;
  const list = unparen(argv);
  if (list.type === "list") return namesShell(literalItems(list, fn, p));
  if (list.type === "call") return helperReturnsShell(list, p, depth);
  if (list.type !== "identifier") return false;
  const assigned = p.resolveAssigned(list, fn);
  if (!assigned) return false;
  const value = unparen(assigned);
  if (value.type === "call") return helperReturnsShell(value, p, depth);
  if (value.type !== "list") return false;
  return namesShell(literalItems(value, fn, p)) || (fn !== null && appendsShell(list.text, fn.node, p, fn));
}

/**
 * Whether arguments given one by one (`asyncio.create_subprocess_exec("sh", "-c", cmd)`) start a
 * shell on a command string: the first two are a shell and its command flag.
 */
export function startsShellOnArgs(positional: readonly SyntaxNode[], fn: FunctionInfo | null, p: Program): boolean {
  return namesShell(positional.slice(0, 2).map((a) => p.literalString(a, fn)));
}

/** A same-file helper that builds the vector and returns it (`argv = build_argv()`). */
function helperReturnsShell(call: SyntaxNode, p: Program, depth: number): boolean {
  const callee = call.childForFieldName("function");
  const helper = callee ? p.helperNamed(callee) : undefined;
  if (!helper) return false;
  const returned = p.returnedValues(helper);
  return returned.length > 0 && returned.every((r) => runsShellOnString(r, helper, p, depth + 1));
}

function literalItems(list: SyntaxNode, fn: FunctionInfo | null, p: Program): (string | null)[] {
  return list.namedChildren.filter((c) => c.type !== "comment").map((c) => p.literalString(c, fn));
}

function namesShell(items: (string | null)[]): boolean {
  return items.length >= 2 && items[0] !== null && SHELLS.test(items[0]!) && items[1] !== null && COMMAND_FLAGS.test(items[1]!);
}

/** `name.append("sh")` and `name.append("-c")` (or `extend([...])`) somewhere in the function. */
function appendsShell(name: string, scope: SyntaxNode, p: Program, fn: FunctionInfo): boolean {
  let shell = false;
  let flag = false;
  const stack: SyntaxNode[] = [scope];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === "call") {
      const callee = n.childForFieldName("function");
      const method = callee?.type === "attribute" ? callee.childForFieldName("attribute")?.text : undefined;
      const receiver = callee?.type === "attribute" ? unparen(callee.childForFieldName("object")!) : null;
      if (receiver?.type === "identifier" && receiver.text === name && (method === "append" || method === "extend")) {
        const arg = p.args(n).positional[0];
        const values = method === "append" ? [p.literalString(arg, fn)] : arg && unparen(arg).type === "list" ? literalItems(unparen(arg), fn, p) : [];
        for (const v of values) {
          if (v !== null && SHELLS.test(v)) shell = true;
          if (v !== null && COMMAND_FLAGS.test(v)) flag = true;
        }
      }
    }
    for (const c of n.namedChildren) if (c.type !== "function_definition" && c.type !== "class_definition") stack.push(c);
  }
  return shell && flag;
}
