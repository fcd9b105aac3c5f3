// @gatehouse/client: a typed client for Gatehouse's HTTP API (plain TypeScript, no framework).
export { GatehouseClient, createClient } from './client.ts';
export { Transport, memoryTokenStore, type ClientOptions, type TokenStore, type TransportMode } from './transport.ts';
export { ApiError, isApiError, toApiError, type ApiErrorCode, type ClientErrorCode } from './errors.ts';
export { ROUTES, type RouteName } from './routes.ts';
export { ROLES, POLICY, isRole, mayGrant, mayManage, isUserManager, AUDIT_TYPES } from './policy.ts';
export type * from './types.ts';
export { mfaChallengeOf } from './mfa.ts';
