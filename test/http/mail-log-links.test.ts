// Verify and reset links are credentials: they reach the logs only when the operator asks (MAIL_LOG_LINKS=true),
// never by default, even in development without SMTP (where the mail is written to MAIL_FOLDER instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { onEveryDatabase } from '../support/harness.ts';

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { lines, logger: pino({ level: 'info' }, sink) };
}

for (const [setting, logged] of [[undefined, false], ['false', false], ['true', true]] as const) {
  const log = capturedLogger();
  const env: Record<string, string> = { NODE_ENV: 'development', ...(setting ? { MAIL_LOG_LINKS: setting } : {}) };
  onEveryDatabase(`MAIL_LOG_LINKS ${setting ?? 'unset'}, development, no SMTP`, (h) => {
    test(logged ? 'the verify and reset links are logged' : 'no verify or reset link ever reaches the logs', async () => {
      const since = log.lines.length; // one logger for the suite on each database
      await h.register('logged-links@example.com');
      for (const url of ['/auth/forgot-password', '/auth/request-verify-token']) {
        assert.equal((await h.req({ method: 'POST', url, json: { email: 'logged-links@example.com' } })).statusCode, 202);
      }
      await h.g.mail.drain();
      const sent = log.lines.slice(since).filter((l) => l.includes('"mail sent"'));
      assert.equal(sent.length, 2, 'both mails went out (to the folder)');
      const withLinks = log.lines.slice(since).filter((l) => /\?token=/.test(l));
      assert.equal(withLinks.length, logged ? 2 : 0, withLinks.join('\n'));
    });
  }, env, { logger: log.logger });
}
