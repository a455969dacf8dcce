import type { SourceModel } from "./types.js";

/**
 * Untrusted inputs. Besides these, the parameters of the task's entry function (context
 * `entryFunction`, trust "caller") and of web route handlers (trust "remote") are sources; a
 * plain scan of ordinary code has no other parameter sources. See docs/vuln/README.md.
 */
export const SOURCES: SourceModel[] = [
  // Standard input is "remote": a program that reads it is driven through it by whoever feeds it,
  // and stdin-driven tasks (SafeSQL, APPS) receive their tests and their attacks on it.
  { label: "standard input", trust: "remote", callerFor: ["path-traversal"], callees: ["input", "raw_input", "sys.stdin.read", "sys.stdin.readline", "sys.stdin.readlines", "fileinput.input"], rationale: "Text piped in by whoever feeds the program: the channel its inputs, and attacks, arrive on." },
  { label: "standard input", trust: "remote", callerFor: ["path-traversal"], handle: true, objects: ["sys.stdin"], rationale: "Iterating or reading sys.stdin yields the feeder's text; the stream object itself (and `sys.stdin.buffer`) is a file object, not a path." },
  { label: "command-line arguments", trust: "caller", operatorFor: ["path-traversal"], objects: ["sys.argv"], rationale: "Arguments are chosen by whoever starts the program." },
  { label: "environment", trust: "caller", operatorFor: ["path-traversal"], objects: ["os.environ"], callees: ["os.getenv", "os.environb.get"], rationale: "Environment variables are controlled by the caller's environment." },
  {
    label: "flask request data",
    trust: "remote",
    objects: ["flask.request", "flask.globals.request"],
    rationale: "Every attribute of the Flask request (args, form, values, json, get_json(), cookies, headers, files, data, path) comes from the client; `flask.globals.request` is the object Flask re-exports as `flask.request`.",
  },
  { label: "django request data", trust: "remote", requestParts: true, dotted: ["request.GET", "request.POST", "request.body", "request.COOKIES", "request.META", "request.FILES", "request.headers", "request.data", "request.query_params"], rationale: "Django/DRF request mappings hold client-controlled data: the parts of a view's request parameter, recognised by what the function reads from it, how it is registered or typed (never by its name), and `self.request` in class-based views." },
  { label: "bottle/tornado request data", trust: "remote", objects: ["bottle.request"], methods: ["get_argument", "get_arguments", "get_query_argument", "get_body_argument"], rationale: "Framework request accessors return client data." },
  { label: "network data", trust: "remote", methods: ["recv", "recvfrom", "recv_into", "recvmsg"], rationale: "Bytes read from a socket come from the peer." },
  { label: "file contents", trust: "caller", handle: true, callees: ["open", "io.open", "codecs.open"], rationale: "Contents of a file the program opens may be attacker-supplied (uploads, shared folders); what is read from the handle is untrusted, while the handle's own attributes (its name, descriptor, mode) are the program's." },
];
