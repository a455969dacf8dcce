/**
 * CWE-400: uncontrolled resource consumption driven by input an outsider sends.
 *
 * - Unbounded reads (plain scan; in task code the CWE-770 check reports them): `.read()` /
 *   `.readlines()` with no size (or a negative one) of a request stream, socket file or upload
 *   derived from network input, with no size comparison before it: the whole body lands in memory
 *   however large it is.
 * - Decompression without an output limit: `zlib/gzip/bz2/lzma.decompress(data)` and a
 *   decompressor's `.decompress(data)` without `max_length`, on untrusted data (a few kilobytes
 *   expand to gigabytes), and `.read()` of a `gzip/bz2/lzma` stream or archive member opened from it.
 * - Chunked copies with no running total: a loop that reads chunks of an untrusted stream and keeps
 *   them (writes, appends, `+=`) without any size comparison in the loop.
 * - Unbounded recursion on input (task code): a function that calls itself on parts of its own
 *   parameter with no depth parameter that is compared or counted down.
 *
 * "Untrusted" is remote input (request objects, sockets, standard input) in a plain scan, and also
 * the entry function's parameters in task code (see remote-input.ts).
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeObject, calleeTail, descendants, enclosingFunction, functionName, namesIn, ofTypes, unwrap, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { untrustedAcrossCalls } from "./calls.js";

/** Standard input is a program's own channel here: reading all of it is what filters and solutions do. */
const untrusted = (expr: Node, input: CheckInput) => untrustedAcrossCalls(expr, input, { network: true });
import { finding, liveNodesOfType, paramsOf, parametersAreInput, targetFunctions, type CheckInput } from "./types.js";

const NAME = "uncontrolled_resource_consumption";
const DECOMPRESS = /^(zlib|gzip|bz2|lzma|brotli|zstandard|zstd)\.decompress$/;
const COMPRESSED_OPEN = /^(gzip\.(open|GzipFile)|bz2\.(open|BZ2File)|lzma\.(open|LZMAFile)|zipfile\.ZipFile|tarfile\.open)$/;
const CHUNK_READS = new Set(["read", "recv", "read1", "readinto", "iter_content", "iter_chunked", "readline"]);
const SIZE_OPS = new Set(["<", ">", "<=", ">="]);

export function checkResourceConsumption(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const report = (node: Node, text: string) => out.push(finding(input, node, { cwe: 400, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text }));
  for (const call of liveNodesOfType(input, ["call"])) {
    const callee = qualifiedCallee(call, input.aliases) ?? "";
    const tail = calleeTail(call);
    const args = callArgs(call);
    if (DECOMPRESS.test(callee)) {
      if (args.keywords.has("max_length")) continue;
      const data = args.positional[0] ?? args.keywords.get("data");
      if (data && untrusted(data, input)) report(call, `${callee}() of untrusted data has no output limit: a small compressed payload can expand to gigabytes (decompress in bounded steps with max_length)`);
      continue;
    }
    if (tail === "decompress" && calleeObject(call) && args.positional.length === 1 && !args.keywords.has("max_length")) {
      const data = args.positional[0]!;
      if (untrusted(data, input) && !inSizeCheckedLoop(call)) report(call, "decompress() of untrusted data without max_length has no output limit");
      continue;
    }
    if ((tail === "read" || tail === "readlines") && unbounded(args)) {
      const stream = calleeObject(call);
      if (!stream || inSizeCheckedLoop(call)) continue;
      if (opensCompressed(stream, input)) {
        report(call, "Reading a whole decompressed stream of untrusted data: its size is chosen by the sender (read in bounded chunks and stop at a limit)");
      } else if (!parametersAreInput(input.context) && !opensLocalFile(stream, input) && untrusted(stream, input) && !hasDominatingSizeCheck(call)) {
        // In task code the CWE-770 check owns whole reads of parameter streams (one finding, not two).
        report(call, `${unwrap(stream).text}.${tail}() with no size reads however much the sender sends into memory (pass a limit, or check Content-Length first)`);
      }
    }
  }
  for (const loop of liveNodesOfType(input, ["while_statement", "for_statement"])) {
    const f = chunkLoop(loop, input);
    if (f) report(f, "Chunks of untrusted input are kept in a loop with no running size limit: the sender decides how much memory or disk is used");
  }
  if (parametersAreInput(input.context)) for (const fn of targetFunctions(input)) {
    const r = unboundedRecursion(input, fn);
    if (r) report(r, `${functionName(fn)}() recurses into parts of its input with no depth limit: deeply nested input exhausts the stack`);
  }
  return out;
}

function unbounded(args: ReturnType<typeof callArgs>): boolean {
  const size = args.positional[0] ?? args.keywords.get("size") ?? args.keywords.get("n") ?? args.keywords.get("hint");
  if (!size) return true;
  const v = unwrap(size);
  return v.type === "none" || (v.type === "unary_operator" && v.text.replace(/\s/g, "") === "-1");
}

/**
 * Is the stream a file of this machine (`open(path)`)? Its size is the file's, not the sender's,
 * even when the sender picked the path (choosing the path is CWE-22's concern).
 */
function opensLocalFile(stream: Node, input: CheckInput): boolean {
  const values = streamValues(stream).filter((v) => v.id !== unwrap(stream).id || v.type === "call");
  return values.length > 0 && values.every((v) => {
    const call = unwrap(v);
    if (call.type !== "call") return false;
    const q = qualifiedCallee(call, input.aliases) ?? "";
    return LOCAL_OPEN.test(q) || (calleeTail(call) === "open" && /^(pathlib\.)?(Path|PurePath|PosixPath)\(/.test(calleeObject(call)?.text ?? ""));
  });
}

const LOCAL_OPEN = /^(open|io\.open|codecs\.open|builtins\.open)$/;

/** What the stream expression was bound to in its function (assignment, `with ... as`), or itself. */
function streamValues(stream: Node): Node[] {
  const s = unwrap(stream);
  if (s.type !== "identifier") return [s];
  const fn = enclosingFunction(stream);
  if (!fn) return [];
  const out: Node[] = [];
  for (const n of ofTypes(fn, ["assignment", "with_item"])) {
    if (n.type === "assignment" && n.childForFieldName("left")?.text === s.text) out.push(n.childForFieldName("right")!);
    if (n.type === "with_item") {
      const asp = n.namedChildren[0];
      if (asp?.type === "as_pattern" && asp.childForFieldName("alias")?.text === s.text && asp.namedChildren[0]) out.push(asp.namedChildren[0]);
    }
  }
  return out;
}

/** Is the stream a decompressing file object opened from untrusted data? */
function opensCompressed(stream: Node, input: CheckInput): boolean {
  const s = unwrap(stream);
  const candidates: Node[] = [s];
  const fn = enclosingFunction(stream);
  if (s.type === "identifier" && fn) {
    for (const n of ofTypes(fn, ["assignment", "with_item"])) {
      if (n.type === "assignment" && n.childForFieldName("left")?.text === s.text) candidates.push(n.childForFieldName("right")!);
      if (n.type === "with_item") {
        const asp = n.namedChildren[0];
        if (asp?.type === "as_pattern" && asp.childForFieldName("alias")?.text === s.text && asp.namedChildren[0]) candidates.push(asp.namedChildren[0]);
      }
    }
  }
  for (const c of candidates) {
    for (const call of [c, ...ofTypes(c, ["call"])]) {
      if (call.type !== "call") continue;
      const q = qualifiedCallee(call, input.aliases) ?? "";
      if (COMPRESSED_OPEN.test(q) || (calleeTail(call) === "extractfile" || (calleeTail(call) === "open" && /zip|archive|tar/i.test(calleeObject(call)?.text ?? "")))) {
        if (untrusted(call, input)) return true;
      }
    }
  }
  return false;
}

/** A size comparison (`if total > LIMIT`, `len(x) >`) inside any loop around the node. */
function inSizeCheckedLoop(node: Node): boolean {
  for (let p = node.parent; p && p.type !== "function_definition"; p = p.parent) {
    if ((p.type === "while_statement" || p.type === "for_statement") && hasSizeComparison(p)) return true;
  }
  return false;
}

function hasSizeComparison(scope: Node): boolean {
  for (const c of ofTypes(scope, ["comparison_operator"])) {
    if (c.children.some((t) => SIZE_OPS.has(t.type))) return true;
  }
  return false;
}

/** A size comparison anywhere before the node in its function (a Content-Length check, a cap). */
function hasDominatingSizeCheck(node: Node): boolean {
  const fn = enclosingFunction(node);
  if (!fn) return false;
  for (const c of ofTypes(fn, ["comparison_operator"])) {
    if (c.startIndex >= node.startIndex) break;
    if (c.children.some((t) => SIZE_OPS.has(t.type)) && /len|length|size|content_length|CONTENT_LENGTH/i.test(c.text)) return true;
  }
  return false;
}

/** A loop that reads chunks of an untrusted stream and keeps them without any size comparison. */
function chunkLoop(loop: Node, input: CheckInput): Node | null {
  if (hasSizeComparison(loop)) return null;
  let chunkNames = new Set<string>();
  let readCall: Node | null = null;
  if (loop.type === "for_statement") {
    const right = loop.childForFieldName("right");
    const left = loop.childForFieldName("left");
    const call = right && unwrap(right).type === "call" ? unwrap(right) : null;
    if (!call || !left || !["iter_content", "iter_chunked", "iter_any", "stream"].includes(calleeTail(call))) return null;
    if (!untrusted(call, input)) return null;
    chunkNames = namesIn(left);
    readCall = call;
  } else {
    const body = loop.childForFieldName("body");
    if (!body) return null;
    for (const n of ofTypes(body, ["assignment"], { intoFunctions: false })) {
      const right = n.childForFieldName("right");
      const r = right ? unwrap(right) : null;
      if (r?.type !== "call" || !CHUNK_READS.has(calleeTail(r)) || !calleeObject(r)) continue;
      if (!untrusted(r, input)) continue;
      chunkNames = namesIn(n.childForFieldName("left")!);
      readCall = r;
      break;
    }
    const cond = loop.childForFieldName("condition");
    if (!readCall && cond) {
      for (const n of ofTypes(cond, ["named_expression"])) {
        const v = n.childForFieldName("value");
        if (v && unwrap(v).type === "call" && CHUNK_READS.has(calleeTail(unwrap(v))) && calleeObject(unwrap(v)) && untrusted(unwrap(v), input)) {
          chunkNames = new Set([n.childForFieldName("name")!.text]);
          readCall = unwrap(v);
        }
      }
    }
  }
  if (!readCall || chunkNames.size === 0) return null;
  const body = loop.childForFieldName("body");
  if (!body) return null;
  for (const n of descendants(body)) {
    if (n.type === "augmented_assignment" && [...namesIn(n.childForFieldName("right")!)].some((x) => chunkNames.has(x))) return n;
    if (n.type === "call" && ["write", "append", "extend", "writelines", "put"].includes(calleeTail(n)) && [...namesIn(n.childForFieldName("arguments")!)].some((x) => chunkNames.has(x))) return n;
  }
  return null;
}

/**
 * A call of the function to itself on a value derived from one of its parameters (a child of the
 * input), with no parameter that looks like a depth counter: compared with `<`/`>` or passed on
 * as `depth + 1` / `depth - 1`.
 */
function unboundedRecursion(input: CheckInput, fn: Node): Node | null {
  const name = functionName(fn);
  const params = paramsOf(input, fn).map((p) => p.name);
  if (params.length === 0) return null;
  const body = fn.childForFieldName("body");
  if (!body) return null;
  const selfCalls = ofTypes(body, ["call"], { intoFunctions: false }).filter((c) => {
    const f = c.childForFieldName("function");
    return f?.type === "identifier" ? f.text === name : f?.type === "attribute" && f.childForFieldName("object")?.text === "self" && calleeTail(c) === name;
  });
  if (selfCalls.length === 0) return null;
  for (const p of params) {
    for (const c of ofTypes(body, ["comparison_operator"], { intoFunctions: false })) if (namesIn(c).has(p) && c.children.some((t) => SIZE_OPS.has(t.type))) return null;
    for (const call of selfCalls) {
      for (const a of call.childForFieldName("arguments")?.namedChildren ?? []) {
        const v = a.type === "keyword_argument" ? a.childForFieldName("value") : a;
        if (v?.type === "binary_operator" && namesIn(v).has(p) && /[+-]/.test(v.childForFieldName("operator")?.type ?? "")) return null;
      }
    }
  }
  // The recursive call descends into the input: its arguments read a parameter or a loop variable over it.
  return selfCalls.find((c) => (c.childForFieldName("arguments")?.namedChildren ?? []).some((a) => [...namesIn(a)].length > 0)) ?? null;
}
