import { createClient } from '../../client/src/index.ts';
import { API_URL } from './config.ts';

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

/** Called when the session is gone for good (a 401 that a refresh could not cure). */
export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** The SPA's one client: cookie transport (no token is ever readable by this page's script), CSRF handled inside. */
export const api = createClient({
  baseUrl: API_URL,
  mode: 'cookie',
  onSessionEnded: () => { for (const l of sessionEndedListeners) l(); },
});
