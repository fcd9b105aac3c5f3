// Seed 002's clothes API, built on Gatehouse as a library: any signed-in, active user lists clothes; only admins
// (and super admins) add them. The routes use Gatehouse's own guards, so 401/403 mean what they mean everywhere else.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { SECURED, currentUser, errorResponses, type RouteContext } from 'gatehouse';

export const SIZES = ['S', 'M', 'L', 'XL'] as const;

export const ClothesCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  size: Type.Enum(SIZES),
  price: Type.Number({ minimum: 0 }),
}, { title: 'ClothesCreate' }); // the title names it in /openapi.json (#/components/schemas/ClothesCreate)

export const Clothes = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  size: Type.Enum(SIZES),
  price: Type.Number(),
  created_by: Type.String({ format: 'uuid', description: 'The admin who added it.' }),
}, { title: 'Clothes' });
export type ClothesT = Static<typeof Clothes>;

/** The plugin: pass it to createGatehouse(config, { plugins: [clothesRoutes] }). */
export async function clothesRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // In memory, for brevity: one list per Gatehouse instance, gone when the process stops.
  const clothes: ClothesT[] = [];

  app.get('/clothes', {
    onRequest: ctx.guards.user(),
    schema: { tags: ['clothes'], summary: 'List clothes (any signed-in user)', security: SECURED,
      response: { 200: Type.Array(Clothes), ...errorResponses(['Unauthorized'], { validation: false }) } },
  }, async () => clothes);

  app.post('/clothes', {
    onRequest: ctx.guards.user({ role: 'admin' }),
    schema: { tags: ['clothes'], summary: 'Add clothes (admins)', security: SECURED, body: ClothesCreate,
      response: { 201: Clothes, ...errorResponses(['Unauthorized', 'Forbidden']) } },
  }, async (req, reply) => {
    const item: ClothesT = {
      id: crypto.randomUUID(), name: req.body.name, size: req.body.size, price: req.body.price, created_by: currentUser(req).id,
    };
    clothes.push(item);
    req.log.info({ clothesId: item.id, actorId: item.created_by }, 'clothes added');
    return reply.code(201).send(item);
  });
}
