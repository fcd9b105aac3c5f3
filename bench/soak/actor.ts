// One simulated user of the soak: it owns an account and a session, and at a fixed pace does what a front end does
// — mostly GET /users/me, sometimes the sessions list, a profile edit, a refresh-token rotation, a logout and login
// again, a mistyped login, or a new account. Each request's status is checked against the one it must have.
import type { Tally } from './tally.ts';

/** Relative weights of the actions. Logins and registrations cost an argon2id hash each: keep them a small share. */
export const MIX = {
  me: 71,
  sessions: 8,
  patch: 6,
  refresh: 10,
  failedLogin: 2,
  relogin: 2,
  register: 1,
} as const;
export type Action = keyof typeof MIX;

const PASSWORD = 'soak: correct horse battery staple';
const TIMEOUT_MS = 10_000;

const ACTIONS = Object.keys(MIX) as Action[];
const TOTAL = ACTIONS.reduce((sum, a) => sum + MIX[a], 0);

export function pickAction(random: number): Action {
  let x = random * TOTAL;
  for (const a of ACTIONS) {
    x -= MIX[a];
    if (x < 0) return a;
  }
  return 'me';
}

interface Answer { ok: boolean; json?: Record<string, unknown> }

export class Actor {
  private readonly origin: string;
  private readonly tally: Tally;
  private readonly prefix: string;
  private accounts = 0;
  private email = '';
  private access: string | undefined;
  private refreshToken: string | undefined;

  /** `prefix` makes this actor's addresses unique: soak-<run>-<actor>-<n>@soak.example.com. */
  constructor(origin: string, tally: Tally, prefix: string) {
    this.origin = origin;
    this.tally = tally;
    this.prefix = prefix;
  }

  /** One action of the mix. Without a session (first call, or after an unexpected failure) it registers first. */
  async act(action: Action): Promise<void> {
    if (!this.access || !this.refreshToken) return this.register();
    switch (action) {
      case 'me': await this.call('me', 'GET', '/users/me', 200, { auth: true }); return;
      case 'sessions': await this.call('sessions', 'GET', '/users/me/sessions', 200, { auth: true }); return;
      case 'patch': await this.call('patch', 'PATCH', '/users/me', 200, { auth: true, json: { full_name: `Soak ${Math.floor(Math.random() * 1e6)}` } }); return;
      case 'refresh': {
        const r = await this.call('refresh', 'POST', '/auth/jwt/refresh', 200, { json: { refresh_token: this.refreshToken } });
        this.keep(r);
        return;
      }
      case 'failedLogin': {
        // An address nobody has (so no account is ever locked): 400 LOGIN_BAD_CREDENTIALS by design.
        const unknown = `nobody-${this.prefix}-${Math.floor(Math.random() * 1e9)}@soak.example.com`;
        await this.call('failedLogin', 'POST', '/auth/jwt/login', 400, { form: { username: unknown, password: PASSWORD }, label: 'POST /auth/jwt/login (unknown address)' });
        return;
      }
      case 'relogin': {
        const out = await this.call('logout', 'POST', '/auth/jwt/logout', 204, { auth: true });
        this.access = this.refreshToken = undefined;
        if (out.ok) await this.login();
        return;
      }
      case 'register': return this.register();
    }
  }

  private async register(): Promise<void> {
    this.access = this.refreshToken = undefined;
    this.email = `soak-${this.prefix}-${this.accounts++}@soak.example.com`;
    const r = await this.call('register', 'POST', '/auth/register', 201, { json: { email: this.email, password: PASSWORD } });
    if (r.ok) await this.login();
  }

  private async login(): Promise<void> {
    this.keep(await this.call('login', 'POST', '/auth/jwt/login', 200, { form: { username: this.email, password: PASSWORD } }));
  }

  /** Keeps the new token pair of a login or refresh; without one the actor starts over with a new account. */
  private keep(r: Answer): void {
    const access = r.json?.access_token, refresh = r.json?.refresh_token;
    if (r.ok && typeof access === 'string' && typeof refresh === 'string') {
      this.access = access;
      this.refreshToken = refresh;
    } else {
      this.access = this.refreshToken = undefined;
    }
  }

  private async call(
    kind: string, method: string, path: string, expected: number,
    o: { auth?: boolean; json?: unknown; form?: Record<string, string>; label?: string },
  ): Promise<Answer> {
    const request = o.label ?? `${method} ${path}`;
    const headers: Record<string, string> = {};
    if (o.auth) headers.authorization = `Bearer ${this.access}`;
    let body: string | undefined;
    if (o.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(o.json); }
    if (o.form) { headers['content-type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(o.form).toString(); }
    const t0 = performance.now();
    try {
      const r = await fetch(`${this.origin}${path}`, { method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      const text = await r.text();
      this.tally.answered(kind, request, expected, r.status, performance.now() - t0, text);
      if (r.status !== expected) return { ok: false };
      return { ok: true, json: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) as Record<string, unknown> : undefined };
    } catch (err) {
      this.tally.failed(kind, request, expected, err);
      return { ok: false };
    }
  }
}
