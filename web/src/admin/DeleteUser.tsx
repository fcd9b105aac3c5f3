import type { User } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../hooks/useAction.ts';
import { navigate } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';

export function DeleteUser({ user }: { user: User }) {
  const action = useAction();
  const remove = () => action.run(async () => {
    await api.deleteUser(user.id);
    navigate(pathTo('users'), { replace: true, notice: `${user.email} was deleted.` });
  });
  return (
    <section aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <p>Deleting removes the account and ends its sessions. It cannot be undone.</p>
      <ConfirmButton label="Delete this user…" question={`Delete ${user.email} for good?`} confirmLabel="Yes, delete" pending={action.pending} onConfirm={remove} />
      <ErrorAlert error={action.error} />
    </section>
  );
}
