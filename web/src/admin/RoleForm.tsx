import { useState, type FormEvent } from 'react';
import { ROLES, mayGrant, type Role, type User } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { ROLE_LABELS } from '../format.ts';
import { useAction } from '../hooks/useAction.ts';

/**
 * Change a user's role, offering only the roles the acting user may grant (the server's POLICY table). The page says
 * it went through (`onSaved`'s message): after the change the actor may no longer manage the user, and this form goes.
 */
export function RoleForm({ actor, user, onSaved }: { actor: User; user: User; onSaved(u: User, message: string): void }) {
  const [role, setRole] = useState<Role>(user.role);
  const action = useAction();
  const options = ROLES.filter((r) => r === user.role || mayGrant(actor.role, r));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (role === user.role) return;
    const updated = await action.run(() => api.updateUser(user.id, { role }));
    // The server ends the user's sessions on a role change: the new role comes with their next sign-in.
    if (updated) onSaved(updated, `${updated.email} is now ${ROLE_LABELS[updated.role].toLowerCase()}. They were signed out, and have the new role from their next sign-in.`);
  };

  return (
    <form onSubmit={submit} aria-labelledby="role-title">
      <h2 id="role-title">Role</h2>
      <div className="field">
        <label htmlFor="role">Role of {user.email}</label>
        <select id="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {options.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
        </select>
      </div>
      <ErrorAlert error={action.error} />
      <SubmitButton pending={action.pending} pendingText="Saving…" disabled={role === user.role}>Change role</SubmitButton>
    </form>
  );
}
