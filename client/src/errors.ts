import type { ErrorCode, ValidationIssue } from './types.ts';

/** Failures that never reach the server's error registry. */
export type ClientErrorCode =
  | 'VALIDATION_ERROR' // 422: FastAPI's list of issues, in `issues`
  | 'NETWORK_ERROR' //    the request never got an answer (offline, DNS, CORS refused)
  | 'UNKNOWN_ERROR'; //   an answer that is not in the API's shape (e.g. a proxy's HTML error page)

/** Every code an ApiError can carry: the server's registry (src/errors.ts) plus the client's own three. */
export type ApiErrorCode = ErrorCode | ClientErrorCode;

/** A failed API call. Switch on `code` (a closed union) to translate it; `reason` says which rule failed, if any. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly reason: string | undefined;
  readonly issues: readonly ValidationIssue[];
  /** The detail object's other fields, if any (LOGIN_MFA_REQUIRED's `mfa_token`, `methods`, `expires_in`). */
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(status: number, code: ApiErrorCode, opts: { reason?: string; issues?: readonly ValidationIssue[]; extra?: Record<string, unknown>; cause?: unknown } = {}) {
    super(opts.reason ? `${code}: ${opts.reason}` : code, { cause: opts.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.reason = opts.reason;
    this.issues = opts.issues ?? [];
    this.extra = opts.extra ?? {};
  }
}

export const isApiError = (err: unknown, code?: ApiErrorCode): err is ApiError =>
  err instanceof ApiError && (code === undefined || err.code === code);

/** What a body-less or foreign error answer most likely means, by status alone. */
const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE', 500: 'Internal Server Error', 503: 'SERVICE_UNAVAILABLE',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An error answer → ApiError. The API's bodies are fastapi-users' (`{"detail": "CODE"}`,
 * `{"detail": {"code", "reason"}}`) or FastAPI's 422 (`{"detail": [issue…]}`). The codes are the server's registry,
 * which the client's types come from; `body` is whatever JSON the answer held (undefined if none or not JSON). A detail
 * object's fields beyond code and reason are kept in `extra` (the login's second step sends its challenge there).
 */
export function toApiError(status: number, body: unknown): ApiError {
  const detail = isRecord(body) ? body.detail : undefined;
  if (typeof detail === 'string' && detail !== '') return new ApiError(status, detail as ErrorCode);
  if (isRecord(detail) && typeof detail.code === 'string') {
    const { code, reason, ...extra } = detail;
    return new ApiError(status, code as ErrorCode, { reason: typeof reason === 'string' ? reason : undefined, extra });
  }
  if (Array.isArray(detail)) return new ApiError(status, 'VALIDATION_ERROR', { issues: detail as ValidationIssue[] });
  return new ApiError(status, BY_STATUS[status] ?? 'UNKNOWN_ERROR');
}

/** The request never got an answer. */
export const networkError = (cause: unknown): ApiError => new ApiError(0, 'NETWORK_ERROR', { cause });
