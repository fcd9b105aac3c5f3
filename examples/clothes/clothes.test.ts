import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../../test/support/harness.ts';
import { clothesRoutes } from './app.ts';

const SHIRT = { name: 'Oxford shirt', size: 'M', price: 49.5 };

onEveryDatabase('examples/clothes', (h) => {
  let user: { id: string; token: string };
  let admin: { id: string; token: string };
  before(async () => {
    user = await h.withRole('user@example.com', 'user');
    admin = await h.withRole('admin@example.com', 'admin');
  });

  const anonymous: [string, string, unknown][] = [['GET', 'lists', undefined], ['POST', 'adds', SHIRT]];
  for (const [method, what, json] of anonymous) {
    test(`nobody ${what} clothes without a token: 401 with a Bearer challenge`, async () => {
      const r = await h.req({ method, url: '/clothes', json });
      assert.equal(r.statusCode, 401);
      assert.deepEqual(r.json(), { detail: 'Unauthorized' });
      assert.equal(r.headers['www-authenticate'], 'Bearer');
    });
  }

  test('a bad token is refused with 401 invalid_token', async () => {
    const r = await h.req({ url: '/clothes', token: 'not.a.token' });
    assert.equal(r.statusCode, 401);
    assert.match(String(r.headers['www-authenticate']), /^Bearer error="invalid_token"/);
  });

  test('an ordinary user lists clothes', async () => {
    const r = await h.req({ url: '/clothes', token: user.token });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), []);
  });

  test('an ordinary user may not add clothes: 403 Forbidden, and nothing is added', async () => {
    const r = await h.req({ method: 'POST', url: '/clothes', token: user.token, json: SHIRT });
    assert.equal(r.statusCode, 403);
    assert.deepEqual(r.json(), { detail: 'Forbidden' });
    assert.deepEqual((await h.req({ url: '/clothes', token: user.token })).json(), []);
  });

  test('an ordinary user gets 403 even for an invalid body: the guard runs before validation', async () => {
    const r = await h.req({ method: 'POST', url: '/clothes', token: user.token, json: { name: '' } });
    assert.equal(r.statusCode, 403);
  });

  test('an admin adds clothes (201), and every signed-in user then sees them in the list', async () => {
    const r = await h.req({ method: 'POST', url: '/clothes', token: admin.token, json: SHIRT });
    assert.equal(r.statusCode, 201, r.body);
    const item = r.json();
    assert.match(item.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...item, id: undefined }, { ...SHIRT, id: undefined, created_by: admin.id });
    for (const who of [user, admin]) {
      const list = await h.req({ url: '/clothes', token: who.token });
      assert.deepEqual(list.json(), [item]);
    }
  });

  test('a super admin adds clothes too (the guard asks for at least admin)', async () => {
    const root = await h.withRole('root@example.com', 'super_admin');
    const r = await h.req({ method: 'POST', url: '/clothes', token: root.token, json: { name: 'Parka', size: 'XL', price: 0 } });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().created_by, root.id);
  });

  test('a deactivated admin is refused with 401, like on every Gatehouse route', async () => {
    const gone = await h.withRole('gone-admin@example.com', 'admin');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', gone.id).execute();
    const r = await h.req({ method: 'POST', url: '/clothes', token: gone.token, json: SHIRT });
    assert.equal(r.statusCode, 401);
  });

  const invalid: [string, unknown, string, (string | number)[]][] = [
    ['no name', { size: 'M', price: 1 }, 'missing', ['body', 'name']],
    ['an empty name', { ...SHIRT, name: '' }, 'string_too_short', ['body', 'name']],
    ['a name of 101 characters', { ...SHIRT, name: 'x'.repeat(101) }, 'string_too_long', ['body', 'name']],
    ['a size that is not S, M, L or XL', { ...SHIRT, size: 'XXL' }, 'enum', ['body', 'size']],
    ['a lower-case size', { ...SHIRT, size: 'm' }, 'enum', ['body', 'size']],
    ['a negative price', { ...SHIRT, price: -0.01 }, 'greater_than_equal', ['body', 'price']],
    ['a price given as text', { ...SHIRT, price: '10' }, 'float_type', ['body', 'price']],
    ['an array body', [SHIRT], 'model_attributes_type', ['body']],
  ];
  for (const [what, json, type, loc] of invalid) {
    test(`an admin sending ${what} gets 422 in FastAPI's shape`, async () => {
      const r = await h.req({ method: 'POST', url: '/clothes', token: admin.token, json });
      assert.equal(r.statusCode, 422, r.body);
      const issue = r.json().detail.find((d: { loc: unknown[] }) => JSON.stringify(d.loc) === JSON.stringify(loc));
      assert.ok(issue, r.body);
      assert.equal(issue.type, type);
      assert.equal(typeof issue.msg, 'string');
    });
  }

  test('the size enum error names the allowed sizes', async () => {
    const r = await h.req({ method: 'POST', url: '/clothes', token: admin.token, json: { ...SHIRT, size: 'XXL' } });
    assert.deepEqual(r.json().detail, [{
      type: 'enum', loc: ['body', 'size'], msg: "Input should be 'S', 'M', 'L' or 'XL'", input: 'XXL', ctx: { expected: "'S', 'M', 'L' or 'XL'" },
    }]);
  });

  test('/openapi.json documents both routes, secured, with the body schema and their errors', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json();
    const { get, post } = spec.paths['/clothes'];
    const secured = [{ OAuth2PasswordBearer: [] }, { BearerAuth: [] }, { CookieAuth: [] }];
    assert.deepEqual(get.security, secured);
    assert.deepEqual(post.security, secured);
    assert.deepEqual(Object.keys(get.responses).sort(), ['200', '401']);
    assert.deepEqual(Object.keys(post.responses).sort(), ['201', '401', '403', '422']);
    assert.deepEqual(post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/ClothesCreate' });
    assert.equal(post.operationId, 'clothes_post', 'an embedding app\'s route is named by its path and method');
    const body = spec.components.schemas.ClothesCreate;
    assert.deepEqual(body.required, ['name', 'size', 'price']);
    assert.deepEqual(body.properties.name, { type: 'string', minLength: 1, maxLength: 100 });
    assert.deepEqual(body.properties.size.enum, ['S', 'M', 'L', 'XL']);
    assert.deepEqual(body.properties.price, { type: 'number', minimum: 0 });
  });
}, {}, { plugins: [clothesRoutes] });
