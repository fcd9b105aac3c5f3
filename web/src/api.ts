import { createClient } from '../../client/src/index.ts';
import { API_URL } from './config.ts';
import { ENROL_NOTICE } from './mfa/enrolment-notice.ts';
import { requestStepUp } from './mfa/stepUp.ts';
import { navigate } from './router/history.ts';
import { PAGES } from './router/routes.ts';

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

/** Called when the session is gone for good (a 401 that a refresh could not cure). */
export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/**
 * The SPA's one client: cookie transport (no token is ever readable by this page's script), CSRF handled inside.
 * A call refused for want of a recent proof opens the step-up dialog and continues once the user has proved
 * themselves; a user whose role needs a second factor they lack is led to the Security page.
 */
export const api = createClient({
  baseUrl: API_URL,
  mode: 'cookie',
  onSessionEnded: () => { for (const l of sessionEndedListeners) l(); },
  onReauthenticationRequired: () => requestStepUp(),
  onMfaEnrollmentRequired: () => {
    if (window.location.pathname !== PAGES.security) navigate(PAGES.security, { notice: ENROL_NOTICE });
  },
});
