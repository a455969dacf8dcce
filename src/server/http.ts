import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { parseWireJson, stringifyWireJson } from "../verify/index.js";

/** An answer other than 200, with the JSON body every client gets: `{"error": {"code", "message"}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = stringifyWireJson(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
}

/** The request body, refused with 413 past `limit` bytes (read no further than that). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (err) => {
      if (!failed) reject(new HttpError(400, "bad_request", `could not read the request body: ${err.message}`));
      failed = true;
    });
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, "body_too_large", `request body over the ${limit}-byte limit (serve --max-body); send smaller batches`, { connection: "close" });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON body (integers beyond 2^53 kept exact), validated by `schema`; every failure is a 400 that says what is wrong. */
export function parseBody<S extends z.ZodTypeAny>(bytes: Buffer, schema: S): z.infer<S> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, "bad_request", "request body is not valid UTF-8");
  }
  if (text.trim() === "") throw new HttpError(400, "bad_request", "request body is empty; expected a JSON object");
  let value: unknown;
  try {
    value = parseWireJson(text);
  } catch (err) {
    throw new HttpError(400, "bad_json", `request body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = (parsed.error as z.ZodError).issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    throw new HttpError(400, "invalid_request", `invalid request: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** Constant-time check of `Authorization: Bearer TOKEN`. */
export function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
