import { useState } from 'react';
import type { Session } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Notice } from '../components/Notice.tsx';
import { SessionList } from '../components/SessionList.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import type { Loaded } from '../hooks/useLoad.ts';
import { navigate } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';

/** The user's devices: sign one out, all others, or all of them (this one included). */
export function MySessions({ sessions }: { sessions: Loaded<Session[]> }) {
  const { logoutEverywhere } = useAuth();
  const [pendingId, setPendingId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const others = (sessions.data ?? []).filter((s) => !s.current).length;

  const revoke = (s: Session) => {
    setPendingId(s.id);
    setNotice(null);
    void action.run(async () => {
      await api.revokeMySession(s.id);
      setNotice('That device is signed out.');
      sessions.reload();
    }).finally(() => setPendingId(null));
  };
  const revokeOthers = () => action.run(async () => {
    const { revoked } = await api.revokeMyOtherSessions();
    setNotice(revoked === 1 ? '1 other device signed out.' : `${revoked} other devices signed out.`);
    sessions.reload();
  });
  const everywhere = () => action.run(async () => {
    await logoutEverywhere();
    navigate(pathTo('login'), { notice: 'You are signed out on every device.' });
  });

  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Signed-in devices</h2>
      {sessions.loading && !sessions.data ? <Loading label="Loading your devices…" /> : null}
      <ErrorAlert error={sessions.error} focus={false} />
      {sessions.data ? <SessionList sessions={sessions.data} onRevoke={revoke} pendingId={pendingId} markCurrent /> : null}
      <ErrorAlert error={action.error} />
      <Notice>{notice}</Notice>
      <div className="actions">
        <SubmitButton type="button" className="button" pending={action.pending && pendingId === null} pendingText="Working…"
          onClick={revokeOthers} disabled={others === 0}>
          Sign out all other devices
        </SubmitButton>
        <SubmitButton type="button" className="button danger" pending={false} pendingText="" onClick={everywhere}>
          Sign out everywhere
        </SubmitButton>
      </div>
    </section>
  );
}
