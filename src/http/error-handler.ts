import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.ts';
import { isUnavailable } from '../store/errors.ts';
import { toValidationIssues, type ValidationIssue } from './validation.ts';
import { UnmatchedRequests } from './unmatched.ts';

/** Fastify's own failures, in registry codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST',
};

/** Seconds a client should wait before retrying a 503 (the database away, metrics not collected in time). */
export const RETRY_AFTER_SECONDS = '5';

/**
 * The one place a failure becomes a response: registry errors in fastapi-users' body, validation in FastAPI's
 * 422 shape, a lost database as 503 + Retry-After, and anything else as a logged 500 without details.
 */
export function installErrorHandler(app: FastifyInstance, unmatched = new UnmatchedRequests()): void {
  const answerUnmatched = (req: FastifyRequest, reply: FastifyReply) => {
    const answer = unmatched.answer(req, reply);
    return answer instanceof AppError ? sendAppError(reply, answer) : answer;
  };
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    // No route answers here: that is the answer (404, or FastAPI's 307/405: unmatched.ts), whatever else is wrong with
    // the request (an empty JSON body, a media type) — a client must not be told to fix the body of a request nobody would take.
    if (req.is404) return answerUnmatched(req, reply);
    if (err instanceof AppError) return sendAppError(reply, err);
    if (err.validation) {
      return sendValidation(reply, toValidationIssues(err.validation as never, err.validationContext ?? 'body', partOf(req, err.validationContext)));
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return sendValidation(reply, [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    }
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
      return sendValidation(reply, [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: err.message } }]);
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) return sendAppError(reply, new AppError(mapped));
    if (isUnavailable(err)) {
      req.log.error({ err }, 'database unavailable');
      return sendAppError(reply, new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': RETRY_AFTER_SECONDS } }));
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // A client error raised by fastify or a plugin that has no code of ours: keep the status, say nothing internal.
      req.log.info({ err: { code: err.code, message: err.message } }, 'client error');
      return sendAppError(reply, new AppError(err.statusCode === 404 ? 'Not Found' : 'BAD_REQUEST'), err.statusCode);
    }
    req.log.error({ err }, 'unhandled error');
    return sendAppError(reply, new AppError('Internal Server Error'));
  });

  app.setNotFoundHandler(answerUnmatched);
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any hook or route runs — a path that does not decode
 * (`/users/%E0%A4%A`, FST_ERR_BAD_URL), a failed async constraint, or a path parameter over `maxParamLength`
 * (FST_ERR_MAX_PARAM_LENGTH, whose 414 is kept). Without it Fastify writes its own body ({"error", "code", "message"})
 * and none of the app's headers. With it: the registry's code for it (FASTIFY_CODES, as the error handler maps it;
 * else `BAD_REQUEST`) and `headers` (the security headers: no hook runs for these).
 */
export function answerFrameworkError(headers: Readonly<Record<string, string>>) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    req.log.info({ err: { code: err.code, message: err.message } }, 'client error');
    const error = new AppError(FASTIFY_CODES[err.code] ?? 'BAD_REQUEST');
    sendAppError(reply.headers(headers), error, err.statusCode === 414 ? 414 : error.status);
  };
}

export function sendAppError(reply: FastifyReply, err: AppError, status = err.status): FastifyReply {
  return reply.code(status).headers(err.headers).type('application/json').serializer(JSON.stringify).send(err.body());
}

function sendValidation(reply: FastifyReply, detail: ValidationIssue[]): FastifyReply {
  return reply.code(422).type('application/json').serializer(JSON.stringify).send({ detail });
}

function partOf(req: FastifyRequest, part: string | undefined): unknown {
  switch (part) {
    case 'querystring': return req.query;
    case 'params': return req.params;
    case 'headers': return req.headers;
    default: return req.body;
  }
}
