import fastJsonStringify, { type Schema } from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';

/**
 * Each response schema's serializer is built by the first answer that uses it, not at start: fast-json-stringify
 * generates and compiles a function per route and status (~100 of them), ~16 MiB of resident memory and a good part
 * of the start's CPU (measured with bench/footprint, `npm run bench:footprint`). The same serializer Fastify builds
 * by default (its @fastify/fast-json-stringify-compiler calls fast-json-stringify with the route's schema; this app
 * adds no shared schemas), so the same bytes go out.
 */
export const serializerCompiler: FastifySerializerCompiler<Schema> = ({ schema }) => {
  let serialize: ((data: unknown) => string) | undefined;
  return (data: unknown) => (serialize ??= fastJsonStringify(schema))(data);
};
