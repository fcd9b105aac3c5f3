import { useState, type FormEvent } from 'react';
import { isApiError } from '../../../client/src/index.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ProviderButtons } from '../components/ProviderButtons.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { Link } from '../router/Link.tsx';
import { Redirect } from '../router/Redirect.tsx';
import { currentNotice, navigate } from '../router/history.ts';
import { pathTo, safeNext } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';

export function LoginPage() {
  const { state, login } = useAuth();
  const { query } = useLocation();
  const next = safeNext(query.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const notice = currentNotice();

  if (state.status === 'signed-in' && !action.pending) return <Redirect to={next} />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const user = await action.run(() => login({ username: username.trim(), password }));
    if (user) navigate(next, { replace: true });
  };

  return (
    <section className="card narrow">
      <PageTitle>Sign in</PageTitle>
      <Notice tone="info">{notice}</Notice>
      <form onSubmit={submit}>
        <Field label="Email or username" name="username" value={username} onChange={setUsername} autoComplete="username" required
          autoCapitalize="none" spellCheck={false} />
        <Field label="Password" name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" required />
        <ErrorAlert error={action.error}>
          {isApiError(action.error, 'LOGIN_USER_NOT_VERIFIED') ? <p><Link href={pathTo('verify')}>Get a verification link</Link></p> : null}
        </ErrorAlert>
        <SubmitButton pending={action.pending} pendingText="Signing in…">Sign in</SubmitButton>
      </form>
      <ProviderButtons next={next} />
      <p className="links">
        <Link href={pathTo('forgotPassword')}>Forgot your password?</Link>
        <Link href={pathTo('register')}>Create an account</Link>
        <Link href={pathTo('verify')}>Verify your email</Link>
      </p>
    </section>
  );
}
