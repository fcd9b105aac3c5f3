import type { User } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { RequireUser } from '../auth/RequireUser.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { useLoad } from '../hooks/useLoad.ts';
import { EmailStatus } from '../profile/EmailStatus.tsx';
import { LinkedAccounts } from '../profile/LinkedAccounts.tsx';
import { MySessions } from '../profile/MySessions.tsx';
import { PasswordForm } from '../profile/PasswordForm.tsx';
import { ProfileDetailsForm } from '../profile/ProfileDetailsForm.tsx';
import { Link } from '../router/Link.tsx';
import { currentNotice } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';

export function ProfilePage() {
  return <RequireUser>{(user) => <Profile user={user} />}</RequireUser>;
}

function Profile({ user }: { user: User }) {
  const sessions = useLoad(() => api.mySessions(), `sessions:${user.id}`);
  return (
    <>
      <div className="page-head">
        <PageTitle>Your profile</PageTitle>
      </div>
      <Notice>{currentNotice()}</Notice>
      <div className="grid">
        <div className="card"><EmailStatus user={user} /></div>
        <div className="card"><ProfileDetailsForm user={user} /></div>
        <div className="card"><PasswordForm onChanged={sessions.reload} /></div>
        <div className="card"><MySessions sessions={sessions} /></div>
        <div className="card"><LinkedAccounts /></div>
        <section className="card" aria-labelledby="security-title">
          <h2 id="security-title">Security</h2>
          <p>Passkeys, an authenticator app and recovery codes protect your account beyond the password.</p>
          <Link className="button" href={pathTo('security')}>Manage sign-in security</Link>
        </section>
      </div>
    </>
  );
}
