import type { FastifyInstance, FastifyRequest, FastifySchema, preParsingHookHandler, RouteOptions } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * Which request bodies a route takes, in one place. A route declares its body's media types in `schema.consumes`
 * (JSON when it has a body and says nothing: @fastify/swagger applies the same default, so /openapi.json's
 * requestBody lists exactly these), and one hook refuses any other with 415 UNSUPPORTED_MEDIA_TYPE before the body
 * is read. A route without a body schema takes no body at all.
 *
 * Why it matters: a web page can POST an HTML form (urlencoded, multipart or text/plain) to any site without a CORS
 * preflight, but not JSON (Fetch Standard, "CORS-safelisted request-header"). A route that takes only JSON cannot be
 * driven cross-site by a form (registrations, mails sent to victims).
 */

export const JSON_BODY = ['application/json'];
/** The OAuth2 password form (RFC 6749 §4.3): what fastapi-users, Swagger UI's Authorize and `fetch(FormData)` send. */
export const FORM_BODY = ['application/x-www-form-urlencoded', 'multipart/form-data'];
/** /auth/jwt/refresh takes its refresh_token as JSON or as an urlencoded form (RFC 6749 §6). */
export const JSON_OR_FORM_BODY = ['application/json', 'application/x-www-form-urlencoded'];

/** The media types a route's schema declares for its body (none without a body schema). */
export function consumesOf(schema: FastifySchema | undefined): string[] {
  if (!schema?.body) return [];
  const consumes = (schema as { consumes?: string[] }).consumes;
  return consumes && consumes.length > 0 ? consumes : JSON_BODY;
}

const hasBody = (req: FastifyRequest): boolean => {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
};

/** A preParsing hook that lets through only the given media types (parameters such as charset are ignored). */
function refuseOtherMediaTypes(accepted: Set<string>): preParsingHookHandler {
  return (req, _reply, payload, done) => {
    if (!hasBody(req)) return done(null, payload); // nothing to parse: validation says whether a body was needed
    const type = req.headers['content-type'] === undefined ? undefined : req.mediaType;
    if (type !== undefined && accepted.has(type)) return done(null, payload);
    done(new AppError('UNSUPPORTED_MEDIA_TYPE')); // the bare code, as for a type no parser knows: /openapi.json says what fits
  };
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'QUERY']);

/**
 * Installs the enforcement for every route registered after it (the API's, and an embedding app's plugins).
 * Call it before any route is added.
 */
export function enforceDeclaredMediaTypes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => WITH_BODY.has(m))) return;
    const hook = refuseOtherMediaTypes(new Set(consumesOf(route.schema).map((t) => t.toLowerCase())));
    route.preParsing = [...asArray(route.preParsing), hook];
  });
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Fields a multipart form may carry: the login form has six. */
const MAX_FORM_FIELDS = 32;

/**
 * Parses multipart/form-data (RFC 7578) into fields, like the urlencoded parser does: a repeated name becomes an
 * array. Read as a buffer, so BODY_LIMIT applies as to every body (413); parsed by Node's own FormData parser
 * (undici, the one behind `fetch`). Only text fields: a file part is refused (415), so is a malformed body (400).
 * NUL characters are refused afterwards by the same guard as every body (nul-guard.ts).
 */
export function installMultipartParser(app: FastifyInstance): void {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, async (req: FastifyRequest, body: Buffer) => {
    let form: FormData;
    try {
      form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
    } catch {
      throw new AppError('BAD_REQUEST', { reason: 'malformed multipart/form-data body' });
    }
    const fields: Record<string, string | string[]> = Object.create(null);
    let count = 0;
    for (const [name, value] of form) {
      if (typeof value !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', { reason: 'file parts are not accepted' });
      if (++count > MAX_FORM_FIELDS) throw new AppError('PAYLOAD_TOO_LARGE', { reason: `more than ${MAX_FORM_FIELDS} form fields` });
      const prev = fields[name];
      fields[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    return fields;
  });
}
