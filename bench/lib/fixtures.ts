// What the loads need before they start: a registered user, and an access token for it.
export interface BenchUser { email: string; password: string; token: string }

async function expectStatus(r: Response, status: number, what: string): Promise<unknown> {
  const text = await r.text();
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Registers `email` over HTTP, logs in, and checks the token opens GET /users/me. */
export async function createUser(origin: string, email: string, password: string): Promise<BenchUser> {
  await expectStatus(await fetch(`${origin}/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  }), 201, 'register');
  const { access_token: token } = await expectStatus(await fetch(`${origin}/auth/jwt/login`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password }).toString(),
  }), 200, 'login') as { access_token: string };
  await expectStatus(await fetch(`${origin}/users/me`, { headers: { authorization: `Bearer ${token}` } }), 200, 'GET /users/me');
  return { email, password, token };
}

/** Logs in an existing user (form POST /auth/jwt/login) and checks the token opens GET /users/me; returns the token. */
export async function loginUser(origin: string, email: string, password: string): Promise<string> {
  const { access_token: token } = await expectStatus(await fetch(`${origin}/auth/jwt/login`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password }).toString(),
  }), 200, `login as ${email}`) as { access_token: string };
  await expectStatus(await fetch(`${origin}/users/me`, { headers: { authorization: `Bearer ${token}` } }), 200, 'GET /users/me');
  return token;
}
