import { useEffect, useState } from 'react';
import { mayManage, type User } from '../../../client/src/index.ts';
import { AccountFlags } from '../admin/AccountFlags.tsx';
import { DeleteUser } from '../admin/DeleteUser.tsx';
import { RoleForm } from '../admin/RoleForm.tsx';
import { UserFactors } from '../admin/UserFactors.tsx';
import { UserSessions } from '../admin/UserSessions.tsx';
import { api } from '../api.ts';
import { RequireManager } from '../auth/RequireManager.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ROLE_LABELS, formatDate } from '../format.ts';
import { useLoad } from '../hooks/useLoad.ts';
import { Link } from '../router/Link.tsx';
import { pathTo } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';

export function AdminUserPage() {
  return <RequireManager>{(actor) => <ManagedUser actor={actor} />}</RequireManager>;
}

/** One user, for an admin: facts, role, access, sessions, delete — each only if the policy lets the actor. */
function ManagedUser({ actor }: { actor: User }) {
  const { params } = useLocation();
  const id = params.id ?? '';
  const loaded = useLoad(() => api.getUser(id), id);
  const [user, setUser] = useState<User | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => setUser(loaded.data), [loaded.data]);
  const roleChanged = (u: User, message: string) => {
    setUser(u);
    setNotice(message);
  };

  const title = user ? user.email : 'User';
  const manageable = user ? mayManage(actor.role, user.role) && user.id !== actor.id : false;
  return (
    <>
      <p className="breadcrumb"><Link href={pathTo('users')}>← All users</Link></p>
      <PageTitle>{title}</PageTitle>
      <Notice>{notice}</Notice>
      {loaded.loading && !user ? <Loading label="Loading the user…" /> : null}
      <ErrorAlert error={loaded.error} focus={false} />
      {user ? (
        <div className="grid">
          <section className="card" aria-labelledby="facts-title">
            <h2 id="facts-title">Details</h2>
            <dl className="facts">
              <div><dt>Email</dt><dd>{user.email}</dd></div>
              <div><dt>Username</dt><dd>{user.username ?? '—'}</dd></div>
              <div><dt>Full name</dt><dd>{user.full_name ?? '—'}</dd></div>
              <div><dt>Role</dt><dd data-testid="user-role">{ROLE_LABELS[user.role]}</dd></div>
              <div><dt>Created</dt><dd>{formatDate(user.created_at)}</dd></div>
              <div><dt>Updated</dt><dd>{formatDate(user.updated_at)}</dd></div>
              <div><dt>ID</dt><dd className="mono">{user.id}</dd></div>
            </dl>
            {manageable ? null : (
              <p className="muted">{user.id === actor.id ? 'This is you: change your own account on your profile.' : 'Your role may view this user but not change them.'}</p>
            )}
          </section>
          {manageable ? <div className="card"><RoleForm key={user.id} actor={actor} user={user} onSaved={roleChanged} /></div> : null}
          {manageable ? <div className="card"><AccountFlags user={user} onSaved={setUser} /></div> : null}
          {manageable ? <div className="card"><UserFactors user={user} /></div> : null}
          {manageable ? <div className="card"><UserSessions user={user} /></div> : null}
          {manageable ? <div className="card"><DeleteUser user={user} /></div> : null}
        </div>
      ) : null}
    </>
  );
}
