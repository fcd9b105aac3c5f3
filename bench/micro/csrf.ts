// `node bench/micro/csrf.ts`: a CSRF token bound to the session, issued and then checked, with Gatehouse's
// CsrfTokens (src/auth/csrf-token.ts: a signed double submit, the cookie's value is the token) against @fastify/csrf,
// the engine of @fastify/csrf-protection (a secret per client kept in a cookie or the session, a token derived from
// it and `userInfo`, here the session id). CPU per issue + check.
import { randomUUID } from 'node:crypto';
import { CsrfTokens } from '../../src/auth/csrf-token.ts';
import { contender } from './contenders.ts';
import { compare, print } from './measure.ts';

/** What this benchmark uses of @fastify/csrf. */
interface Tokens { secretSync(): string; create(secret: string, userInfo: string): string; verify(secret: string, token: string, userInfo: string): boolean }
const { module, version } = await contender('@fastify/csrf');
const TokensClass = (module as { default: new (o: { userInfo: true }) => Tokens }).default;

const ours = new CsrfTokens('a'.repeat(64));
const theirs = new TokensClass({ userInfo: true });
const sessions = Array.from({ length: 100 }, () => randomUUID());

print(`issue a token bound to a session, then check it; @fastify/csrf ${version}`, await compare([
  { name: 'Gatehouse CsrfTokens', run: (n) => {
    for (let i = 0; i < n; i++) {
      const s = sessions[i % sessions.length]!;
      const t = ours.issue(s);
      if (!ours.matches(t, t, s)) throw new Error('refused');
    }
  } },
  { name: '@fastify/csrf (a new secret per client)', run: (n) => {
    for (let i = 0; i < n; i++) {
      const s = sessions[i % sessions.length]!;
      const secret = theirs.secretSync();
      if (!theirs.verify(secret, theirs.create(secret, s), s)) throw new Error('refused');
    }
  } },
], { batch: 20_000 }));

print('check only (every unsafe cookie request)', await compare([
  { name: 'Gatehouse CsrfTokens', run: ((t, s) => (n: number) => { for (let i = 0; i < n; i++) if (!ours.matches(t, t, s)) throw new Error('refused'); })(ours.issue(sessions[0]!), sessions[0]!) },
  { name: '@fastify/csrf', run: ((secret, s) => { const t = theirs.create(secret, s); return (n: number) => { for (let i = 0; i < n; i++) if (!theirs.verify(secret, t, s)) throw new Error('refused'); }; })(theirs.secretSync(), sessions[0]!) },
], { batch: 20_000 }));
