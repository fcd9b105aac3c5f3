import { useState } from 'react';
import type { Session, User } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Notice } from '../components/Notice.tsx';
import { SessionList } from '../components/SessionList.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { useLoad } from '../hooks/useLoad.ts';

/** A managed user's sessions (GET /users/{id}/sessions): sign one device out, or all of them. */
export function UserSessions({ user }: { user: User }) {
  const sessions = useLoad(() => api.userSessions(user.id), `sessions:${user.id}`);
  const [pendingId, setPendingId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const revoke = (s: Session) => {
    setPendingId(s.id);
    setNotice(null);
    void action.run(async () => {
      await api.revokeUserSession(user.id, s.id);
      setNotice('That session has ended.');
      sessions.reload();
    }).finally(() => setPendingId(null));
  };
  const revokeAll = () => action.run(async () => {
    const { revoked } = await api.revokeUserSessions(user.id);
    setNotice(revoked === 1 ? '1 session ended.' : `${revoked} sessions ended.`);
    sessions.reload();
  });
  return (
    <section aria-labelledby="user-sessions-title">
      <h2 id="user-sessions-title">Sessions</h2>
      {sessions.loading && !sessions.data ? <Loading label="Loading sessions…" /> : null}
      <ErrorAlert error={sessions.error} focus={false} />
      {sessions.data ? <SessionList sessions={sessions.data} onRevoke={revoke} pendingId={pendingId} markCurrent={false} /> : null}
      <ErrorAlert error={action.error} />
      <Notice>{notice}</Notice>
      {sessions.data && sessions.data.length > 0 ? (
        <SubmitButton type="button" className="button danger" pending={action.pending && pendingId === null} pendingText="Signing out…" onClick={revokeAll}>
          Sign this user out everywhere
        </SubmitButton>
      ) : null}
    </section>
  );
}
