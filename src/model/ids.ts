import { randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else names nothing (and must never reach PostgreSQL's uuid cast). */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const newId = (): string => randomUUID();

/**
 * An id as fastapi-users reads one from a path (Python's `uuid.UUID(value)`): any case, with or without dashes,
 * in braces, or as a `urn:uuid:` URN — always the canonical lower-case, dashed form, or undefined.
 */
export function parseUuid(v: string): string | undefined {
  const hex = v.replace(/urn:|uuid:/g, '').replace(/^[{}]+|[{}]+$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
