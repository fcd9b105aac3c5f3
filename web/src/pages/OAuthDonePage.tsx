import { useEffect, useState } from 'react';
import { ApiError, type ErrorCode } from '../../../client/src/index.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { PROVIDERS } from '../config.ts';
import { afterSignIn } from '../mfa/enrolment.ts';
import { currentTrip, endTrip } from '../oauth.ts';
import { Link } from '../router/Link.tsx';
import { navigate } from '../router/history.ts';
import { pathTo, safeNext } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';

/**
 * Server-callback flow (the default): Gatehouse's own callback has set the session cookies (or linked the account)
 * and redirects here, to OAUTH_SPA_URL = <this app>/oauth/done — with ?linked=<provider>, or ?error=<registry code>.
 */
export function OAuthDonePage() {
  const { query } = useLocation();
  const { reload } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const trip = currentTrip();
  const label = PROVIDERS.find((p) => p.name === (query.get('linked') ?? trip?.provider))?.label ?? 'the provider';

  useEffect(() => {
    const code = query.get('error');
    const linked = query.get('linked');
    window.history.replaceState(null, '', window.location.pathname);
    endTrip();
    if (code) return setError(new ApiError(400, code as ErrorCode));
    if (linked) return navigate(pathTo('profile'), { replace: true, notice: `Your ${label} account is linked.` });
    reload().then(async (user) => {
      if (!user) return setError('The sign-in did not complete. Try again.');
      const { to, notice } = await afterSignIn(safeNext(trip?.next));
      navigate(to, { replace: true, notice });
    }).catch(setError);
  }, []);

  return (
    <section className="card narrow">
      <PageTitle>{trip?.intent === 'link' ? `Linking ${label}` : `Signing in with ${label}`}</PageTitle>
      {error ? (
        <>
          <ErrorAlert error={error} />
          <p className="links"><Link href={pathTo(trip?.intent === 'link' ? 'profile' : 'login')}>{trip?.intent === 'link' ? 'Back to your profile' : 'Back to sign in'}</Link></p>
        </>
      ) : <Loading label="Finishing…" />}
    </section>
  );
}
