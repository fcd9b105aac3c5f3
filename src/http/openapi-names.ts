/**
 * Names in /openapi.json as FastAPI gives them to fastapi-users' routers, so a client generated from Gatehouse's
 * document has the methods and types of one generated from fastapi-users' (`authJwtLoginAuthJwtLoginPost`,
 * `UserRead`, `BearerResponse`, `ErrorModel`, `Body_auth_jwt_login_auth_jwt_login_post`, …).
 */

/**
 * Each route's name: fastapi-users' where it has the route (its routers name them `auth:jwt.login`,
 * `users:current_user`, …), the same style for Gatehouse's own.
 */
export const ROUTE_NAMES: Record<string, string> = {
  'POST /auth/register': 'register:register',
  'POST /auth/jwt/login': 'auth:jwt.login',
  'POST /token': 'auth:token',
  'POST /auth/jwt/refresh': 'auth:jwt.refresh',
  'POST /auth/jwt/logout': 'auth:jwt.logout',
  'GET /auth/csrf': 'auth:csrf',
  'GET /auth/cookie/session': 'auth:cookie.session',
  'POST /auth/cookie/login': 'auth:cookie.login',
  'POST /auth/cookie/refresh': 'auth:cookie.refresh',
  'POST /auth/cookie/logout': 'auth:cookie.logout',
  'POST /auth/request-verify-token': 'verify:request-token',
  'POST /auth/verify': 'verify:verify',
  'POST /auth/forgot-password': 'reset:forgot_password',
  'POST /auth/reset-password': 'reset:reset_password',
  'GET /users/me': 'users:current_user',
  'PATCH /users/me': 'users:patch_current_user',
  'GET /users': 'users:list',
  'GET /users/{id}': 'users:user',
  'PATCH /users/{id}': 'users:patch_user',
  'DELETE /users/{id}': 'users:delete_user',
  'GET /users/me/sessions': 'sessions:current_user_sessions',
  'DELETE /users/me/sessions': 'sessions:revoke_other_sessions',
  'DELETE /users/me/sessions/{sid}': 'sessions:revoke_session',
  'GET /users/{id}/sessions': 'sessions:user_sessions',
  'DELETE /users/{id}/sessions': 'sessions:revoke_user_sessions',
  'DELETE /users/{id}/sessions/{sid}': 'sessions:revoke_user_session',
  'GET /users/me/accounts': 'users:oauth_accounts',
  'DELETE /users/me/accounts/{provider}': 'users:delete_oauth_account',
  // fastapi-users names these per provider (`oauth:github.jwt.authorize`); here the provider is a path parameter.
  'GET /auth/{provider}/authorize': 'oauth:jwt.authorize',
  'POST /auth/{provider}/authorize': 'oauth:jwt.callback',
  'GET /auth/{provider}/callback': 'oauth:cookie.callback',
  'POST /auth/{provider}/token': 'oauth:jwt.token',
  'GET /auth/associate/{provider}/authorize': 'oauth-associate:authorize',
  'POST /auth/associate/{provider}/authorize': 'oauth-associate:callback',
  'GET /auth/associate/{provider}/callback': 'oauth-associate:cookie.callback',
  'POST /auth/jwt/mfa': 'auth:jwt.mfa',
  'POST /auth/cookie/mfa': 'auth:cookie.mfa',
  'POST /auth/mfa/passkey-options': 'auth:mfa.passkey_options',
  'POST /auth/reauthenticate': 'auth:reauthenticate',
  'POST /auth/reauthenticate/passkey-options': 'auth:reauthenticate.passkey_options',
  'GET /users/me/factors': 'factors:current_user_factors',
  'POST /users/me/totp': 'factors:enrol_totp',
  'POST /users/me/totp/confirm': 'factors:confirm_totp',
  'DELETE /users/me/totp': 'factors:remove_totp',
  'POST /users/me/recovery-codes': 'factors:regenerate_recovery_codes',
  'GET /users/{id}/factors': 'factors:user_factors',
  'DELETE /users/{id}/factors': 'factors:reset_user_factors',
  'POST /users/me/passkeys/options': 'passkeys:registration_options',
  'POST /users/me/passkeys': 'passkeys:register',
  'GET /users/me/passkeys': 'passkeys:list',
  'PATCH /users/me/passkeys/{id}': 'passkeys:rename',
  'DELETE /users/me/passkeys/{id}': 'passkeys:delete',
  'POST /auth/passkey/options': 'auth:passkey.options',
  'POST /auth/jwt/passkey': 'auth:jwt.passkey',
  'POST /auth/cookie/passkey': 'auth:cookie.passkey',
  'GET /admin/audit': 'admin:audit',
  'GET /.well-known/jwks.json': 'keys:jwks',
  'GET /.well-known/openid-configuration': 'keys:openid_configuration',
  'GET /healthz': 'health:live',
  'GET /readyz': 'health:ready',
  'GET /metrics': 'metrics:metrics',
};

/** `/users/:id` → `/users/{id}`, as OpenAPI (and FastAPI's path_format) writes it. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/**
 * FastAPI's default operationId (fastapi.utils.generate_unique_id): the route's name and path with every non-word
 * character made `_`, then `_` and the method: `auth:jwt.login` at POST /auth/jwt/login is
 * `auth_jwt_login_auth_jwt_login_post`. A route without a name (an embedding app's) is named by its path alone.
 */
export function operationId(method: string | string[], url: string): string {
  const m = (Array.isArray(method) ? method[0]! : method).toUpperCase();
  const path = openApiPath(url);
  const name = ROUTE_NAMES[`${m} ${path}`] ?? '';
  return `${name}${path}`.replace(/\W/g, '_').replace(/^_+/, '') + `_${m.toLowerCase()}`;
}

type Schema = Record<string, unknown>;
interface Operation { operationId?: string; requestBody?: { content?: Record<string, { schema?: Schema }> }; responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }
export interface OpenApiDocument { paths?: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } }

/** fastapi-users' ErrorModel: every 4xx but 422 is one (each route narrows `detail` to the codes it answers). */
const ERROR_MODEL: Schema = {
  title: 'ErrorModel', type: 'object', required: ['detail'],
  properties: { detail: { anyOf: [{ type: 'string' }, { type: 'object', properties: { code: { type: 'string' }, reason: { type: 'string' } }, required: ['code', 'reason'] }] } },
};

/**
 * Named component schemas, as FastAPI writes them: every schema with a `title` (UserRead, UserCreate, UserUpdate,
 * BearerResponse, HTTPValidationError, …) becomes `#/components/schemas/<title>` and is referenced by `$ref`; a
 * request body without one is `Body_<operationId>` (FastAPI's name for a form or an embedded body); every error
 * answer (4xx but 422) is ErrorModel narrowed by the route's own codes. Two different schemas under one name stop
 * the document from being built (a test builds it).
 */
export function nameSchemas(doc: OpenApiDocument): OpenApiDocument {
  const schemas: Record<string, Schema> = { ...doc.components?.schemas };
  const put = (name: string, schema: Schema): Schema => {
    const prev = schemas[name];
    if (prev !== undefined && JSON.stringify(prev) !== JSON.stringify(schema)) throw new Error(`OpenAPI: two different schemas are named ${name}`);
    schemas[name] = schema;
    return { $ref: `#/components/schemas/${name}` };
  };
  const named = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(named);
    if (node === null || typeof node !== 'object') return node;
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, named(v)]));
    return typeof out.title === 'string' && (out.type === 'object' || out.type === 'array') ? put(out.title, out) : out;
  };
  const errorModel = put('ErrorModel', ERROR_MODEL);
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        if (!media.schema) continue;
        const s = named(media.schema) as Schema;
        media.schema = s.$ref || !op.operationId ? s : put(`Body_${op.operationId}`, s);
      }
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        for (const media of Object.values(res.content ?? {})) {
          if (!media.schema) continue;
          const s = named(media.schema) as Schema;
          media.schema = Number(status) >= 400 && status !== '422' && !s.$ref ? { allOf: [errorModel, s] } : s;
        }
      }
    }
  }
  return { ...doc, components: { ...doc.components, schemas } };
}
