import { useState, type FormEvent } from 'react';
import { isApiError } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ProviderButtons } from '../components/ProviderButtons.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { fieldErrors } from '../messages.ts';
import { Link } from '../router/Link.tsx';
import { Redirect } from '../router/Redirect.tsx';
import { navigate } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';

export function RegisterPage() {
  const { state, login } = useAuth();
  const [form, setForm] = useState({ email: '', username: '', full_name: '', password: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);
  const action = useAction();
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const invalid = fieldErrors(action.error);

  if (state.status === 'signed-in' && !action.pending) return <Redirect to={pathTo('profile')} />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMismatch(form.password !== form.confirm);
    if (form.password !== form.confirm) return;
    await action.run(async () => {
      await api.register({
        email: form.email.trim(), password: form.password,
        username: form.username.trim() || undefined, full_name: form.full_name.trim() || undefined,
      });
      try {
        await login({ username: form.email.trim(), password: form.password });
        navigate(pathTo('profile'), { replace: true, notice: 'Welcome! Your account is ready. Your email address is not verified yet: use the link if one was mailed to you, or send yourself one below.' });
      } catch (err) {
        // The account exists; the server wants the email verified before the first sign-in.
        if (!isApiError(err, 'LOGIN_USER_NOT_VERIFIED')) throw err;
        navigate(pathTo('login'), { replace: true, notice: 'Your account is created. Verify your email address, then sign in: use the link if one was mailed to you, or get one with “Verify your email” below.' });
      }
    });
  };

  return (
    <section className="card narrow">
      <PageTitle>Create an account</PageTitle>
      <form onSubmit={submit}>
        <Field label="Email" name="email" type="email" value={form.email} onChange={set('email')} autoComplete="email" required error={invalid.email} />
        <Field label="Username" name="username" value={form.username} onChange={set('username')} autoComplete="nickname" autoCapitalize="none"
          spellCheck={false} hint="2–39 letters, digits, “_”, “.” or “-”. You can sign in with it." error={invalid.username} />
        <Field label="Full name" name="full_name" value={form.full_name} onChange={set('full_name')} autoComplete="name" error={invalid.full_name} />
        <Field label="Password" name="password" type="password" value={form.password} onChange={set('password')} autoComplete="new-password" required
          hint="A long passphrase is best; the server says if it is too weak." error={invalid.password} />
        <Field label="Repeat the password" name="confirm" type="password" value={form.confirm} onChange={set('confirm')} autoComplete="new-password" required
          error={mismatch ? 'The two passwords differ.' : undefined} />
        <ErrorAlert error={mismatch ? 'The two passwords differ.' : action.error} />
        <SubmitButton pending={action.pending} pendingText="Creating your account…">Create account</SubmitButton>
      </form>
      <ProviderButtons />
      <p className="links"><Link href={pathTo('login')}>I already have an account</Link></p>
    </section>
  );
}
