import { Type, type Static, type TSchema } from 'typebox';
import { ERRORS, type ErrorCode } from '../errors.ts';
import { ROLES } from '../model/roles.ts';
import { USERNAME_PATTERN, type User } from '../model/user.ts';
import type { Session } from '../model/session.ts';

/** One schema per shape: it validates the request, types the handler and documents the route in OpenAPI. */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A nullable string as a type array: serialised far faster than anyOf (fast-json-stringify needs no branch test). */
const NullableString = (o: object = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...o });

/**
 * `idn-email`: internationalized addresses (RFC 6531) are accepted, so OpenAPI's ASCII `email` would document a
 * narrower rule than the one checked (model/email.ts, via http/validation.ts). Normalised by the services. No
 * maxLength: the rule measures octets (254) and says so, where a character count would answer another message.
 */
export const Email = Type.String({ format: 'idn-email', description: 'Trimmed; the domain is lower-cased (Unicode form). At most 64 bytes before the @, 254 in all. Unique without regard to case.' });
/** Long enough for the configured policy to answer with its own reason (REGISTER_INVALID_PASSWORD) instead of a 422. */
export const Password = Type.String({ maxLength: 4096, description: 'Checked against the password policy (PASSWORD_MIN_LENGTH…).' });
export const Username = Type.String({ pattern: USERNAME_PATTERN, description: '2–39 letters, digits, "_", "." or "-"; unique without regard to case.' });
/** No NUL: PostgreSQL text cannot hold it (the insert failed with a 500; found by test/faults/fuzz.test.ts). */
export const FullName = Type.String({ maxLength: 200, pattern: '^[^\\u0000]*$' });
/** A string enum rather than anyOf of constants: validated the same, serialised without branch tests. */
export const Role = Type.Unsafe<(typeof ROLES)[number]>({ type: 'string', enum: [...ROLES], description: 'user < admin < super_admin' });

export const UserRead = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  is_active: Type.Boolean(),
  is_superuser: Type.Boolean({ description: 'fastapi-users\' view of role = super_admin.' }),
  is_verified: Type.Boolean(),
  username: NullableString(),
  full_name: NullableString(),
  role: Role,
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
}, { title: 'UserRead', description: 'A user. Never carries the password hash.' });
export type UserReadT = Static<typeof UserRead>;

export const toUserRead = (u: User): UserReadT => ({
  id: u.id, email: u.email, is_active: u.isActive, is_superuser: u.role === 'super_admin', is_verified: u.isVerified,
  username: u.username, full_name: u.fullName, role: u.role, created_at: u.createdAt, updated_at: u.updatedAt,
});

export const UserCreate = Type.Object({
  email: Email,
  password: Password,
  username: Type.Optional(Nullable(Username)),
  full_name: Type.Optional(Nullable(FullName)),
}, { title: 'UserCreate', description: 'id, is_active, is_superuser, is_verified and role are ignored if sent.' });

/** fastapi-users ignores `"password": null` in an update (its UserUpdate field is Optional[str]): so does Gatehouse. */
const PasswordOrNull = Nullable(Type.String({ maxLength: 4096, description: 'A new password, checked against the password policy; null = no change (as fastapi-users).' }));

export const UserUpdate = Type.Object({
  email: Type.Optional(Email),
  password: Type.Optional(PasswordOrNull),
  username: Type.Optional(Nullable(Username)),
  full_name: Type.Optional(Nullable(FullName)),
  current_password: Type.Optional(Type.String({ maxLength: 4096,
    description: 'The user\'s current password: required to change email or password (unless REQUIRE_CURRENT_PASSWORD=false, or the user has no password).' })),
}, { title: 'UserUpdate', description: 'Privileged fields (is_active, is_superuser, is_verified, role) are ignored here.' });

export const UserAdminUpdate = Type.Object({
  email: Type.Optional(Email),
  password: Type.Optional(PasswordOrNull),
  username: Type.Optional(Nullable(Username)),
  full_name: Type.Optional(Nullable(FullName)),
  is_active: Type.Optional(Type.Boolean()),
  is_verified: Type.Optional(Type.Boolean()),
  is_superuser: Type.Optional(Type.Boolean()),
  role: Type.Optional(Role),
}, { title: 'UserAdminUpdate' });

/** OAuth2PasswordRequestForm (RFC 6749 §4.3): what fastapi-users' login and Swagger UI's Authorize send. */
export const LoginForm = Type.Object({
  username: Type.String({ maxLength: 320, description: 'The email, or the username.' }),
  password: Type.String({ maxLength: 4096 }),
  grant_type: Type.Optional(Type.String({ pattern: '^password$' })),
  scope: Type.Optional(Type.String({ maxLength: 1024 })),
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
  client_secret: Type.Optional(Type.String({ maxLength: 256 })),
});

export const BearerToken = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  refresh_token: Type.String({ description: 'Opaque; works once at /auth/jwt/refresh (rotation).' }),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires (RFC 6749 §5.1).' }),
}, { title: 'BearerResponse' });

export const RefreshRequest = Type.Object({ refresh_token: Type.String({ maxLength: 8192 }) }, { title: 'RefreshRequest' });

export const SessionRead = Type.Object({
  id: Type.String({ format: 'uuid' }),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time', description: 'Login or last refresh.' }),
  expires_at: Type.String({ format: 'date-time' }),
  user_agent: NullableString(),
  ip: NullableString(),
  current: Type.Boolean({ description: 'The session of the token making this request.' }),
}, { title: 'SessionRead' });

export const toSessionRead = (s: Session, currentId: string | undefined) => ({
  id: s.id, created_at: s.createdAt, last_used_at: s.lastUsedAt, expires_at: s.expiresAt, user_agent: s.userAgent, ip: s.ip, current: s.id === currentId,
});

export const SessionParams = Type.Object({ sid: Type.String({ maxLength: 64 }) });
export const UserSessionParams = Type.Object({ id: Type.String({ maxLength: 64 }), sid: Type.String({ maxLength: 64 }) });
export const Revoked = Type.Object({ revoked: Type.Integer({ description: 'How many sessions ended.' }) }, { title: 'RevokedSessions' });

export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Search in email, username and full name (case-insensitive).' })),
  role: Type.Optional(Role),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});

export const UserPage = Type.Object({
  items: Type.Array(UserRead),
  total: Type.Integer({ description: 'How many users match, across all pages.' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
}, { title: 'UserPage' });

export const UserIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const ValidationError = Type.Object({
  detail: Type.Array(Type.Object({
    type: Type.String(),
    loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
    msg: Type.String(),
    input: Type.Optional(Type.Unknown()),
    ctx: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }, { title: 'ValidationError' })),
}, { title: 'HTTPValidationError', description: 'Validation error, in FastAPI\'s shape.' });

/**
 * The documented error responses of a route: for each status, the registry codes it may answer with.
 * The schema's enum lists them, so OpenAPI readers (and test/errors-registry.test.ts) see exactly which codes occur.
 */
export function errorResponses(codes: ErrorCode[], opts: { validation?: boolean } = {}): Record<number, TSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const c of codes) byStatus.set(ERRORS[c].status, [...(byStatus.get(ERRORS[c].status) ?? []), c]);
  const out: Record<number, TSchema> = {};
  for (const [status, list] of byStatus) {
    out[status] = Type.Object({
      detail: Type.Union([
        Type.Union(list.map((c) => Type.Literal(c))),
        Type.Object({ code: Type.Union(list.map((c) => Type.Literal(c))), reason: Type.String() }),
      ]),
    }, { description: list.map((c) => `\`${c}\`: ${ERRORS[c].message}`).join('\n\n') });
  }
  if (opts.validation ?? true) out[422] = ValidationError;
  return out;
}

export const NoContent = Type.Null({ description: 'No content.' });
