import { useState } from 'react';
import type { User } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { RequireUser } from '../auth/RequireUser.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { NotAvailable } from '../components/NotAvailable.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { useLoad } from '../hooks/useLoad.ts';
import { isUnavailable } from '../messages.ts';
import { ENROL_NOTICE, mustEnrol } from '../mfa/enrolment.ts';
import { Link } from '../router/Link.tsx';
import { currentNotice } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';
import { AuthenticatorAppCard } from '../security/AuthenticatorAppCard.tsx';
import { PasskeysCard } from '../security/PasskeysCard.tsx';
import { RecoveryCodesCard } from '../security/RecoveryCodesCard.tsx';
import { RecoveryCodesPanel } from '../security/RecoveryCodesPanel.tsx';

export function SecurityPage() {
  return <RequireUser>{(user) => <Security user={user} />}</RequireUser>;
}

/** How the user signs in: passkeys, the authenticator app, recovery codes. */
function Security({ user }: { user: User }) {
  const factors = useLoad(() => api.myFactors(), `factors:${user.id}`);
  const [codes, setCodes] = useState<string[] | null>(null);
  const notice = currentNotice();
  const enrol = mustEnrol(factors.data);
  return (
    <>
      <p className="breadcrumb"><Link href={pathTo('profile')}>← Your profile</Link></p>
      <PageTitle>Security</PageTitle>
      {notice && notice !== ENROL_NOTICE ? <Notice>{notice}</Notice> : null}
      {enrol ? <div className="alert alert-info" role="status"><p>{ENROL_NOTICE}</p></div> : null}
      {factors.data ? (
        <p data-testid="mfa-status">
          Second factor: {factors.data.mfa_enabled ? <span className="badge ok">on</span> : <span className="badge warn">off</span>}
        </p>
      ) : null}
      {factors.loading && !factors.data ? <Loading label="Loading your sign-in methods…" /> : null}
      {codes ? <div className="card"><RecoveryCodesPanel codes={codes} account={user.email} onDone={() => setCodes(null)} /></div> : null}
      <div className="grid">
        <div className="card"><PasskeysCard userId={user.id} firstFactor={factors.data?.mfa_enabled === false} onChanged={factors.reload} /></div>
        <div className="card">
          {factors.error ? (
            isUnavailable(factors.error) ? <NotAvailable feature="A second factor" /> : <ErrorAlert error={factors.error} focus={false} />
          ) : <AuthenticatorAppCard factors={factors} onCodes={setCodes} />}
        </div>
        {factors.data?.mfa_enabled ? <div className="card"><RecoveryCodesCard factors={factors} onCodes={setCodes} /></div> : null}
      </div>
    </>
  );
}
