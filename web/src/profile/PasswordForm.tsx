import { useState, type FormEvent } from 'react';
import { isApiError } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';

/**
 * A new password (PATCH /users/me {password, current_password}); the server then ends every other session of the
 * user. The current password proves it is the user, not someone with a stolen session; a user who signs in only
 * through a provider has none and leaves it empty (the server then wants a recent sign-in).
 */
export function PasswordForm({ onChanged }: { onChanged(): void }) {
  const { setUser } = useAuth();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setMismatch(password !== confirm);
    if (password !== confirm) return;
    const updated = await action.run(() => api.updateMe({ password, ...(current ? { current_password: current } : {}) }));
    if (!updated) return;
    setUser(updated);
    setCurrent('');
    setPassword('');
    setConfirm('');
    setSaved(true);
    onChanged();
  };

  const rejected = isApiError(action.error, 'UPDATE_USER_INVALID_PASSWORD') ? action.error.reason ?? 'Not accepted.' : undefined;
  const wrongCurrent = isApiError(action.error, 'UPDATE_USER_CURRENT_PASSWORD_INVALID') ? 'Enter your current password.' : undefined;
  return (
    <form onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <Field label="Current password" name="current-password" type="password" value={current} onChange={setCurrent} autoComplete="current-password"
        hint="Leave empty if you sign in only with a provider." error={wrongCurrent} />
      <Field label="New password" name="new-password" type="password" value={password} onChange={setPassword} autoComplete="new-password" required error={rejected} />
      <Field label="Repeat the new password" name="confirm-password" type="password" value={confirm} onChange={setConfirm} autoComplete="new-password" required
        error={mismatch ? 'The two passwords differ.' : undefined} />
      <ErrorAlert error={mismatch ? 'The two passwords differ.' : action.error} />
      <Notice>{saved ? 'Password changed. Your other devices were signed out.' : null}</Notice>
      <SubmitButton pending={action.pending} pendingText="Changing…">Change password</SubmitButton>
    </form>
  );
}
