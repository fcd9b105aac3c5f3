import * as client from 'openid-client';
import { errors as joseErrors } from 'jose';
import { createRequire } from 'node:module';
import type { Compile } from 'typebox/compile';
import type { Static, TSchema } from 'typebox';
import { AppError } from '../errors.ts';
import { normalizeEmail } from '../model/email.ts';

/** The provider failed us (unreachable, 5xx, malformed): 502, with a reason that names the provider and the step. */
export const providerError = (provider: string, why: string): AppError => new AppError('OAUTH_PROVIDER_ERROR', { reason: `${provider}: ${why}` });

/** Token endpoint `error` values that mean "this code (or refresh token) is no good", not "the provider is broken". */
const REFUSED_GRANT = new Set(['invalid_grant', 'bad_verification_code', 'bad_refresh_token', 'expired_token', 'incorrect_client_credentials_for_code']);

/**
 * Turns whatever openid-client, jose or fetch threw into a registry error: the caller's fault (4xx) or the
 * provider's (502). Unknown errors are rethrown unchanged (a real bug stays a logged 500).
 */
export function mapProviderFailure(provider: string, step: string, err: unknown): never {
  if (err instanceof AppError) throw err;
  if (err instanceof client.ResponseBodyError) {
    // RFC 6749 §5.2: an error answer from the token endpoint.
    if (REFUSED_GRANT.has(err.error)) throw new AppError('OAUTH_INVALID_CODE', { reason: `${provider}: ${err.error}` });
    throw providerError(provider, `${step} answered ${err.status} ${err.error}`);
  }
  if (err instanceof client.AuthorizationResponseError) {
    // RFC 6749 §4.1.2.1: the authorization itself was refused (access_denied, …).
    throw new AppError('OAUTH_PROVIDER_DENIED', { reason: `${provider}: ${err.error}` });
  }
  if (err instanceof client.WWWAuthenticateChallengeError) throw providerError(provider, `${step} refused our token (${err.status})`);
  if (err instanceof client.ClientError) {
    const body = (err.cause as { cause?: { body?: { error?: unknown } } } | undefined)?.cause?.body;
    // GitHub answers a bad code with HTTP 200 and {"error": "bad_verification_code"} instead of RFC 6749's 400.
    if (err.code === 'OAUTH_INVALID_RESPONSE' && typeof body?.error === 'string') {
      if (REFUSED_GRANT.has(body.error)) throw new AppError('OAUTH_INVALID_CODE', { reason: `${provider}: ${body.error}` });
      throw providerError(provider, `${step} answered the error ${body.error}`);
    }
    if (err.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && (err.cause as { cause?: { claim?: string } })?.cause?.claim === 'nonce') {
      // The ID token was issued for another authorization request: an injected code (RFC 9700 §4.5).
      throw new AppError('OAUTH_INVALID_CODE', { reason: `${provider}: the ID token's nonce is not this flow's` });
    }
    if (err.code === 'OAUTH_INVALID_RESPONSE' && /"iss"|"state"/.test(err.message + String((err.cause as Error)?.message))) {
      // RFC 9207: an authorization response that names another issuer (mix-up), or lacks the required iss.
      throw new AppError('OAUTH_INVALID_CALLBACK', { reason: `${provider}: ${(err.cause as Error)?.message ?? err.message}` });
    }
    throw providerError(provider, `${step}: ${(err.cause as Error)?.message ?? err.message}`);
  }
  if (err instanceof joseErrors.JOSEError) throw providerError(provider, `${step}: ${err.message}`);
  if (isNetworkError(err)) throw providerError(provider, `${step}: unreachable (${(err as Error).message})`);
  throw err;
}

/** fetch's failures: refused connection, DNS, reset, timeout, abort. */
function isNetworkError(err: unknown): boolean {
  const e = err as { name?: string; cause?: { code?: string } };
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || (err instanceof TypeError && (e.cause !== undefined || /fetch failed/.test(String(err))));
}

/** Runs one provider step and maps its failures. */
export async function step<T>(provider: string, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    mapProviderFailure(provider, what, err);
  }
}

/**
 * typebox's compiler (~300 modules beside the ~370 of its type builder) is loaded by the first provider answer
 * checked, not by every server that starts (most have no provider, or none called yet): a synchronous require of
 * its ES module (measured with bench/footprint, `npm run bench:footprint`).
 */
const compile = <S extends TSchema>(schema: S) => (createRequire(import.meta.url)('typebox/compile') as { Compile: typeof Compile }).Compile(schema);
const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>();
/** Checks a provider's answer against its schema (seed 000's pattern): what does not match is a provider error. */
export function parseAnswer<S extends TSchema>(provider: string, what: string, schema: S, value: unknown): Static<S> {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = compile(schema)));
  if (check.Check(value)) return value as Static<S>;
  const first = [...check.Errors(value)][0];
  throw providerError(provider, `${what} does not match the expected shape (${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'})`);
}

/** Reads a JSON answer of a provider API, or fails with the status and the step (never a silent null). */
export async function readJson(provider: string, what: string, r: Response): Promise<unknown> {
  if (!r.ok) throw providerError(provider, `${what} answered ${r.status}`);
  try {
    return await r.json();
  } catch {
    throw providerError(provider, `${what} answered malformed JSON`);
  }
}

/**
 * An email a provider sent, through the one email rule (model/email.ts) as for registration: its normalised form, or
 * a broken answer (502 OAUTH_PROVIDER_ERROR) — an address the rule refuses is never stored. `what` names it.
 */
export function providerEmail(provider: string, what: string, raw: string): string {
  const r = normalizeEmail(raw);
  if (!r.ok) throw providerError(provider, `${what} is not a valid address: ${r.reason}`);
  return r.email;
}
