/** The systems `gatehouse import` reads (src/import/sources/), by the name the command takes. */
export const SOURCES = ['fastapi-users', 'better-auth', 'supabase', 'jsonl'] as const;
export type SourceName = (typeof SOURCES)[number];
