import { useEffect, useState } from 'react';
import { isApiError, type User } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { NotAvailable } from '../components/NotAvailable.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ResendVerificationForm } from '../components/ResendVerificationForm.tsx';
import { useTokenFromUrl } from '../hooks/useTokenFromUrl.ts';
import { isUnavailable } from '../messages.ts';
import { Link } from '../router/Link.tsx';
import { pathTo } from '../router/routes.ts';

/** One POST per token, even when React runs the effect twice (StrictMode) or the page is re-mounted. */
const verifications = new Map<string, Promise<User>>();
const verifyOnce = (token: string) => {
  if (!verifications.has(token)) verifications.set(token, api.verify(token));
  return verifications.get(token)!;
};

/** The page the verification email links to: /verify?token=…; without a token, a form to get a new email. */
export function VerifyPage() {
  const token = useTokenFromUrl();
  const { user, reload } = useAuth();
  const [result, setResult] = useState<{ ok: boolean; error?: unknown } | null>(null);

  useEffect(() => {
    if (!token) return;
    verifyOnce(token).then(
      () => { setResult({ ok: true }); if (user) void reload(); },
      (error: unknown) => setResult(isApiError(error, 'VERIFY_USER_ALREADY_VERIFIED') ? { ok: true } : { ok: false, error }),
    );
    // once per token
  }, [token]);

  return (
    <section className="card narrow">
      <PageTitle>Verify your email</PageTitle>
      {token && !result ? <Loading label="Verifying your email address…" /> : null}
      {result?.ok ? (
        <>
          <Notice>Your email address is verified.</Notice>
          <p className="links"><Link href={pathTo(user ? 'profile' : 'login')}>{user ? 'Go to your profile' : 'Sign in'}</Link></p>
        </>
      ) : null}
      {result && !result.ok ? (isUnavailable(result.error) ? <NotAvailable feature="Email verification" /> : <ErrorAlert error={result.error} />) : null}
      {!token || (result && !result.ok) ? <ResendVerificationForm initialEmail={user?.email ?? ''} /> : null}
    </section>
  );
}
