import { useState, type FormEvent } from 'react';
import { isApiError, type User, type UserUpdate } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { fieldErrors } from '../messages.ts';

/**
 * Email, username, full name: PATCH /users/me with only what changed. A new email address also needs the current
 * password (the field appears when the email is edited; empty for users who sign in only with a provider).
 */
export function ProfileDetailsForm({ user }: { user: User }) {
  const { setUser } = useAuth();
  const [form, setForm] = useState({ email: user.email, username: user.username ?? '', full_name: user.full_name ?? '', current_password: '' });
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  const set = (k: keyof typeof form) => (v: string) => { setSaved(null); setForm((f) => ({ ...f, [k]: v })); };
  const invalid = fieldErrors(action.error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const change: UserUpdate = {};
    if (form.email.trim() !== user.email) change.email = form.email.trim();
    if (change.email && form.current_password) change.current_password = form.current_password;
    if (form.username.trim() !== (user.username ?? '')) change.username = form.username.trim() || null;
    if (form.full_name.trim() !== (user.full_name ?? '')) change.full_name = form.full_name.trim() || null;
    if (Object.keys(change).length === 0) return setSaved('Nothing to save: no field changed.');
    const updated = await action.run(() => api.updateMe(change));
    if (!updated) return;
    setUser(updated);
    setForm((f) => ({ ...f, current_password: '' }));
    setSaved(change.email ? 'Saved. Your new email address needs to be verified: check your inbox.' : 'Saved.');
  };

  return (
    <form onSubmit={submit} aria-labelledby="details-title">
      <h2 id="details-title">Account details</h2>
      <Field label="Email" name="email" type="email" value={form.email} onChange={set('email')} autoComplete="email" required error={invalid.email} />
      {form.email.trim() !== user.email ? (
        <Field label="Current password" name="current-password" type="password" value={form.current_password} onChange={set('current_password')}
          autoComplete="current-password" hint="Needed to change your email. Leave empty if you sign in only with a provider."
          error={invalid.current_password ?? (isApiError(action.error, 'UPDATE_USER_CURRENT_PASSWORD_INVALID') ? 'Enter your current password.' : undefined)} />
      ) : null}
      <Field label="Username" name="username" value={form.username} onChange={set('username')} autoComplete="nickname" autoCapitalize="none"
        spellCheck={false} hint="2–39 letters, digits, “_”, “.” or “-”." error={invalid.username} />
      <Field label="Full name" name="full_name" value={form.full_name} onChange={set('full_name')} autoComplete="name" error={invalid.full_name} />
      <ErrorAlert error={action.error} />
      <Notice>{saved}</Notice>
      <SubmitButton pending={action.pending} pendingText="Saving…">Save details</SubmitButton>
    </form>
  );
}
