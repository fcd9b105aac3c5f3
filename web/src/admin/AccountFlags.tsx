import { useState } from 'react';
import type { User, UserAdminUpdate } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Notice } from '../components/Notice.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';

/** Activate / deactivate (a deactivated user's sessions stop working at once), and mark the email verified. */
export function AccountFlags({ user, onSaved }: { user: User; onSaved(u: User): void }) {
  const [which, setWhich] = useState<'active' | 'verified' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const save = (flag: 'active' | 'verified', change: UserAdminUpdate, done: string) => {
    setWhich(flag);
    setNotice(null);
    void action.run(async () => {
      onSaved(await api.updateUser(user.id, change));
      setNotice(done);
    }).finally(() => setWhich(null));
  };
  return (
    <section aria-labelledby="flags-title">
      <h2 id="flags-title">Access</h2>
      <dl className="facts">
        <div><dt>Status</dt><dd data-testid="user-active">{user.is_active ? 'Active' : 'Deactivated'}</dd></div>
        <div><dt>Email</dt><dd data-testid="user-verified">{user.is_verified ? 'Verified' : 'Not verified'}</dd></div>
      </dl>
      <div className="actions">
        {user.is_active ? (
          <SubmitButton type="button" className="button danger" pending={which === 'active'} pendingText="Deactivating…"
            onClick={() => save('active', { is_active: false }, 'Deactivated: the user is signed out everywhere and cannot sign in.')}>Deactivate</SubmitButton>
        ) : (
          <SubmitButton type="button" className="button" pending={which === 'active'} pendingText="Activating…"
            onClick={() => save('active', { is_active: true }, 'Activated: the user can sign in again.')}>Activate</SubmitButton>
        )}
        {user.is_verified ? null : (
          <SubmitButton type="button" className="button" pending={which === 'verified'} pendingText="Saving…"
            onClick={() => save('verified', { is_verified: true }, 'The email address is marked verified.')}>Mark email verified</SubmitButton>
        )}
      </div>
      <ErrorAlert error={action.error} />
      <Notice>{notice}</Notice>
    </section>
  );
}
