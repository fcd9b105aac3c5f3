import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../../client/src/index.ts';
import { ERRORS } from '../../src/errors.ts';
import { MESSAGES, errorMessage, fieldErrors, isUnavailable } from './messages.ts';

describe('error messages', () => {
  it('every code of the server\'s registry has a message (the type says so too)', () => {
    for (const code of Object.keys(ERRORS)) expect(MESSAGES[code], code).toBeTruthy();
  });

  it('a code reads as a sentence, with the server\'s reason added', () => {
    expect(errorMessage(toApiError(400, { detail: 'LOGIN_BAD_CREDENTIALS' }))).toMatch(/^Wrong email, username or password/);
    expect(errorMessage(toApiError(400, { detail: { code: 'REGISTER_INVALID_PASSWORD', reason: 'password should be at least 8 characters' } })))
      .toBe('This password is not accepted. Password should be at least 8 characters.');
  });

  it('validation issues name their field, and mark it', () => {
    const err = toApiError(422, { detail: [{ type: 'value_error', loc: ['body', 'email'], msg: 'value is not a valid email address', input: 'x' }] });
    expect(errorMessage(err)).toBe('Email: value is not a valid email address');
    expect(fieldErrors(err)).toEqual({ email: 'value is not a valid email address' });
  });

  it('unknown codes and other failures still read as something', () => {
    expect(errorMessage(new ApiError(500, 'SOMETHING_NEW' as never))).toBe(MESSAGES['Internal Server Error']);
    expect(errorMessage(new ApiError(0, 'NETWORK_ERROR'))).toMatch(/Cannot reach the server/);
    expect(errorMessage(new TypeError('x'))).toBe(MESSAGES.UNKNOWN_ERROR);
  });

  it('a 404 on a feature\'s route means the server does not offer it', () => {
    expect(isUnavailable(toApiError(404, { detail: 'Not Found' }))).toBe(true);
    expect(isUnavailable(toApiError(403, { detail: 'Forbidden' }))).toBe(false);
  });
});
