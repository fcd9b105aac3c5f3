import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { PROVIDERS } from '../config.ts';
import { isUnavailable } from '../messages.ts';
import { currentTrip, endTrip } from '../oauth.ts';
import { Link } from '../router/Link.tsx';
import { navigate } from '../router/history.ts';
import { pathTo, safeNext } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';

/** One POST per code (or state), even if React runs the effect twice: an authorization code works once. */
const forwarded = new Map<string, Promise<unknown>>();

/**
 * Forward flow (seed 001, VITE_OAUTH_FLOW=forward): the provider returns here, /oauth/callback/<provider>?code&state,
 * and the page forwards code, state and iss to Gatehouse, which checks the state (bound to this browser), exchanges
 * the code and signs the user in — or links the account to the signed-in user.
 */
export function OAuthCallbackPage() {
  const { params, query } = useLocation();
  const { reload } = useAuth();
  const provider = params.provider ?? '';
  const label = PROVIDERS.find((p) => p.name === provider)?.label ?? provider;
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const trip = currentTrip(provider);
    // Forwarded as they came (code, state, iss — or error and state): Gatehouse judges them, and names any failure.
    const body = Object.fromEntries(['code', 'state', 'iss', 'error'].flatMap((k) => (query.get(k) ? [[k, query.get(k)!]] : [])));
    window.history.replaceState(null, '', window.location.pathname); // the code works once: keep it out of the history
    if (!body.state) {
      setError(`${label} did not send a usable answer. Try again.`);
      return;
    }
    const key = body.code ?? body.state;
    if (!forwarded.has(key)) {
      const callback = { state: body.state, code: body.code, iss: body.iss, error: body.error };
      forwarded.set(key, trip?.intent === 'link' ? api.associateCallback(provider, callback) : api.oauthCallback(provider, callback));
    }
    forwarded.get(key)!.then(async () => {
      endTrip();
      if (trip?.intent === 'link') return navigate(pathTo('profile'), { replace: true, notice: `Your ${label} account is linked.` });
      if (await reload()) return navigate(safeNext(trip?.next), { replace: true });
      // The server answered with bearer tokens, which this page does not keep: it needs the session cookies.
      setError(`Signed in with ${label}, but the server did not open a browser session. Use the server-callback flow (VITE_OAUTH_FLOW=server).`);
    }, setError);
    // once per visit of this page (the code works once)
  }, []);

  return (
    <section className="card narrow">
      <PageTitle>{`Signing in with ${label}`}</PageTitle>
      {error ? (
        <>
          <ErrorAlert error={isUnavailable(error) ? `Sign-in with ${label} is not available on this server.` : error} />
          <p className="links"><Link href={pathTo('login')}>Back to sign in</Link></p>
        </>
      ) : <Loading label={`Finishing the sign-in with ${label}…`} />}
    </section>
  );
}
