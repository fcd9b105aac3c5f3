import { useAuth } from '../auth/AuthContext.ts';
import { useAction } from '../hooks/useAction.ts';
import { navigate } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { SubmitButton } from './SubmitButton.tsx';

export function SignOutButton() {
  const { logout } = useAuth();
  const action = useAction();
  const signOut = () => action.run(async () => {
    await logout();
    navigate(pathTo('login'), { notice: 'You are signed out.' });
  });
  return (
    <>
      <SubmitButton type="button" className="button small" pending={action.pending} pendingText="Signing out…" onClick={signOut}>Sign out</SubmitButton>
      <ErrorAlert error={action.error} />
    </>
  );
}
