import { describe, expect, it } from 'vitest';
import { ApiError, isApiError, toApiError } from './errors.ts';

describe('toApiError: the API\'s error bodies become a typed code', () => {
  it('a bare code (fastapi-users\' {"detail": "CODE"})', () => {
    const e = toApiError(400, { detail: 'LOGIN_BAD_CREDENTIALS' });
    expect([e.status, e.code, e.reason]).toEqual([400, 'LOGIN_BAD_CREDENTIALS', undefined]);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toBeInstanceOf(Error);
  });

  it('a code with a reason ({"detail": {"code", "reason"}})', () => {
    const e = toApiError(400, { detail: { code: 'REGISTER_INVALID_PASSWORD', reason: 'Password should be at least 8 characters' } });
    expect([e.code, e.reason]).toEqual(['REGISTER_INVALID_PASSWORD', 'Password should be at least 8 characters']);
    expect(e.message).toBe('REGISTER_INVALID_PASSWORD: Password should be at least 8 characters');
  });

  it('Starlette\'s generic answers are codes of the registry too', () => {
    expect(toApiError(401, { detail: 'Unauthorized' }).code).toBe('Unauthorized');
    expect(toApiError(404, { detail: 'Not Found' }).code).toBe('Not Found');
  });

  it('a 422 is VALIDATION_ERROR with FastAPI\'s issues', () => {
    const issues = [{ type: 'value_error', loc: ['body', 'email'], msg: 'value is not a valid email address', input: 'x' }];
    const e = toApiError(422, { detail: issues });
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.issues).toEqual(issues);
  });

  it('a body that is not the API\'s falls back on the status, else UNKNOWN_ERROR', () => {
    expect(toApiError(401, undefined).code).toBe('Unauthorized');
    expect(toApiError(503, '<html>').code).toBe('SERVICE_UNAVAILABLE');
    expect(toApiError(502, undefined).code).toBe('UNKNOWN_ERROR');
    expect(toApiError(418, { detail: '' }).code).toBe('UNKNOWN_ERROR');
    expect(toApiError(400, { detail: { reason: 'no code' } }).code).toBe('BAD_REQUEST');
  });

  it('isApiError narrows, optionally to one code', () => {
    const e: unknown = toApiError(403, { detail: { code: 'CSRF_FAILED', reason: 'x' } });
    expect(isApiError(e)).toBe(true);
    expect(isApiError(e, 'CSRF_FAILED')).toBe(true);
    expect(isApiError(e, 'Forbidden')).toBe(false);
    expect(isApiError(new Error('x'))).toBe(false);
  });
});
