import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { normalizeEmail } from '../model/email.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const shared: Options = { allErrors: true, strict: false, useDefaults: true, removeAdditional: false };
/** JSON bodies are taken as typed: `{"email": null}` is a type error (422), never coerced into "" (fastapi-users: 500). */
const bodyAjv = addFormats(new Ajv({ ...shared, coerceTypes: false }));
/** Query strings, path parameters, headers and form fields are text: numbers and booleans are read out of them. */
const textAjv = addFormats(new Ajv({ ...shared, coerceTypes: true }));
/**
 * `idn-email` (JSON Schema's internationalized email, RFC 6531) is the one email rule of model/email.ts, so what
 * the schema lets through is exactly what the services store (after the same normalisation). `email` is too: no
 * route should check an address with ajv-formats' ASCII-only pattern instead.
 */
for (const ajv of [bodyAjv, textAjv]) {
  for (const name of ['idn-email', 'email']) ajv.addFormat(name, { type: 'string', validate: (s: string) => normalizeEmail(s).ok });
}

/**
 * Each route's validator is compiled by its first request, not at start: ajv generates and compiles a function per
 * schema (~50 routes × body, query, params), the largest part of the start's CPU after module loading (measured
 * with bench/footprint, `npm run bench:footprint`). Same validator, same errors; the first request of a route
 * pays its compilation (well under a millisecond to a few).
 */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    compiled ??= ajv.compile(schema);
    const ok = compiled(data) as boolean;
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null as ValidateFunction['errors'];
  return validate;
};

/** One issue in FastAPI's 422 body: {"detail": [{type, loc, msg, input, ctx?}]}. */
export interface ValidationIssue { type: string; loc: (string | number)[]; msg: string; input?: unknown; ctx?: Record<string, unknown> }

const LOC: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

const TYPE_ISSUE: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  integer: ['int_type', 'Input should be a valid integer'],
  number: ['float_type', 'Input should be a valid number'],
  array: ['list_type', 'Input should be a valid list'],
  object: ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from'],
};

/**
 * Ajv's errors in FastAPI/pydantic v2's words, so a front end written for fastapi-users reads them unchanged.
 * For a nullable field (anyOf [T, null]) only the T branch's complaint is kept.
 */
export function toValidationIssues(errors: ErrorObject[], part: string, root: unknown): ValidationIssue[] {
  const where = LOC[part] ?? part;
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || (e.keyword === 'type' && e.params.type === 'null')) continue;
    const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const input = valueAt(root, path);
    let issue: ValidationIssue;
    switch (e.keyword) {
      case 'required':
        issue = { type: 'missing', loc: [where, ...path, e.params.missingProperty], msg: 'Field required', input: input ?? null };
        break;
      case 'type': {
        const [type, msg] = TYPE_ISSUE[String(e.params.type).split(',')[0]!] ?? ['type_error', `Input should be of type ${e.params.type}`];
        issue = input === undefined && path.length === 0
          ? { type: 'missing', loc: [where], msg: 'Field required', input: null }
          : { type, loc: [where, ...path], msg, input };
        break;
      }
      case 'format':
        issue = e.params.format === 'idn-email' || e.params.format === 'email'
          ? { type: 'value_error', loc: [where, ...path], msg: `value is not a valid email address: ${emailProblem(input)}`, input: clip(input) }
          : { type: 'value_error', loc: [where, ...path], msg: `Input should be a valid ${e.params.format}`, input };
        break;
      case 'maxLength':
        issue = { type: 'string_too_long', loc: [where, ...path], msg: `String should have at most ${e.params.limit} characters`, input: clip(input), ctx: { max_length: e.params.limit } };
        break;
      case 'minLength':
        issue = { type: 'string_too_short', loc: [where, ...path], msg: `String should have at least ${e.params.limit} character${e.params.limit === 1 ? '' : 's'}`, input, ctx: { min_length: e.params.limit } };
        break;
      case 'pattern':
        issue = { type: 'string_pattern_mismatch', loc: [where, ...path], msg: `String should match pattern '${e.params.pattern}'`, input: clip(input), ctx: { pattern: e.params.pattern } };
        break;
      case 'enum':
      case 'const': {
        const allowed: unknown[] = e.keyword === 'enum' ? e.params.allowedValues : [e.params.allowedValue];
        const expected = allowed.map((a) => `'${String(a)}'`).join(', ').replace(/, ([^,]*)$/, ' or $1');
        issue = { type: 'enum', loc: [where, ...path], msg: `Input should be ${expected}`, input, ctx: { expected } };
        break;
      }
      case 'minimum':
      case 'maximum': {
        const ge = e.keyword === 'minimum';
        issue = { type: ge ? 'greater_than_equal' : 'less_than_equal', loc: [where, ...path], msg: `Input should be ${ge ? 'greater' : 'less'} than or equal to ${e.params.limit}`, input, ctx: { [ge ? 'ge' : 'le']: e.params.limit } };
        break;
      }
      case 'nul':
        issue = { type: 'string_pattern_mismatch', loc: [where, ...path], msg: e.message ?? 'String should not contain NUL characters', input: clip(input) };
        break;
      default:
        issue = { type: 'value_error', loc: [where, ...path], msg: e.message ?? 'Invalid value', input: clip(input) };
    }
    const key = JSON.stringify(issue.loc);
    if (seen.has(key)) continue;
    seen.add(key);
    if (issue.input !== undefined) issue.input = shallow(issue.input, MAX_ECHO_DEPTH);
    issues.push(issue);
  }
  return issues;
}

/** Why model/email.ts refuses the address, in pydantic's words' place ("value is not a valid email address: …"). */
function emailProblem(input: unknown): string {
  const r = typeof input === 'string' ? normalizeEmail(input) : undefined;
  return r && !r.ok ? r.reason : 'An email address must have an @-sign and a valid domain.';
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let v: unknown = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/**
 * How deep an echoed input may nest. JSON.parse takes `[[[[…]]]]` thousands deep (within BODY_LIMIT), but
 * JSON.stringify of it overflows the stack: the 422 could not be serialized and became a 500 (found by fuzzing).
 */
const MAX_ECHO_DEPTH = 32;

/** The value with anything nested deeper than `depth` replaced by "…". */
function shallow(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth === 0) return '…';
  if (Array.isArray(v)) return v.map((x) => shallow(x, depth - 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shallow(x, depth - 1)]));
}

/** Echo at most a little of a huge input back. */
function clip(v: unknown): unknown {
  return typeof v === 'string' && v.length > 256 ? `${v.slice(0, 256)}…` : v;
}

/**
 * FastAPI reads an empty form field as an absent one: `password=` at login is `422 missing`, as fastapi-users
 * answers (not a failed login). A preValidation hook for the form routes (the login form); JSON bodies keep "".
 */
export function emptyFormFieldsAreMissing(req: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const body = req.body as Record<string, unknown> | null | undefined;
  if (body && typeof body === 'object' && !type.startsWith('application/json')) {
    req.body = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== ''));
  }
  done();
}
