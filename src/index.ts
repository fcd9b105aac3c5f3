// Gatehouse as a library: build the server, add your own routes with the same guards (see examples/clothes).
export { createGatehouse, createLogger, type Gatehouse, type GatehouseOptions } from './gatehouse.ts';
export { loadConfig, ConfigError, type Config } from './config/config.ts';
export { AppError, ERRORS, type ErrorCode } from './errors.ts';
export type { RouteContext } from './http/context.ts';
export { SECURED } from './http/context.ts';
export { currentUser, type GuardOptions } from './http/guards.ts';
export { errorResponses, UserRead, toUserRead } from './http/schemas.ts';
export type { User } from './model/user.ts';
export { normalizeEmail, requireEmail, InvalidEmailError, type EmailResult } from './model/email.ts';
export { ROLES, type Role, atLeast } from './model/roles.ts';
