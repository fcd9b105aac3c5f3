// @simplewebauthn/server, loaded on the first passkey ceremony rather than at start: it brings ASN.1 and X.509
// parsers that hold ~26 MiB resident (measured: `await import('@simplewebauthn/server')` in a bare Node 24 process),
// more than the rest of the passkey code and the whole of issue #17's idle-memory allowance. Types are imported
// statically (they cost nothing at run time).
let loaded: Promise<typeof import('@simplewebauthn/server')> | undefined;

export const webauthn = (): Promise<typeof import('@simplewebauthn/server')> => (loaded ??= import('@simplewebauthn/server'));
