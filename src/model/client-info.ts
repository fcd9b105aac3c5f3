/** Who is on the other end of a request, as far as the HTTP layer can tell (its IP honours TRUST_PROXY). */
export interface ClientInfo { ip: string | null; userAgent: string | null }
