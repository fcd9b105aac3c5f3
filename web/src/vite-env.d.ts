/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Standalone mode: Gatehouse's URL (e.g. http://127.0.0.1:8000). Unset: the page's own origin. */
  readonly VITE_API_URL?: string;
  /** Sign-in providers to offer, "name:Label" comma-separated, e.g. "github:GitHub,google:Google,oidc:Company SSO". */
  readonly VITE_OAUTH_PROVIDERS?: string;
  /** "server" (default: Gatehouse's own callback sets the cookies) or "forward" (seed 001: the SPA forwards code and state). */
  readonly VITE_OAUTH_FLOW?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
