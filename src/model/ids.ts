import { randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else names nothing (and must never reach PostgreSQL's uuid cast). */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const newId = (): string => randomUUID();
