import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { isApiError } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ProviderButtons } from '../components/ProviderButtons.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { holdSignIn } from '../mfa/challenge.ts';
import { afterSignIn } from '../mfa/enrolment.ts';
import { autofillPasskey, autofillSupported, cancelAutofill, getPasskey, isAborted, passkeysSupported } from '../mfa/webauthn.ts';
import { Link } from '../router/Link.tsx';
import { Redirect } from '../router/Redirect.tsx';
import { currentNotice, navigate } from '../router/history.ts';
import { pathTo, safeNext } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';

/**
 * Sign in: with a password (then, for a user with a second factor, the /mfa page), with a passkey and no username
 * (the button, or the browser's autofill on the username field: conditional mediation), or with a provider.
 */
export function LoginPage() {
  const { state, login, reload } = useAuth();
  const { query } = useLocation();
  const next = safeNext(query.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const passkey = useAction();
  const notice = currentNotice();

  const finish = useCallback(async () => {
    const { to, notice: said } = await afterSignIn(next);
    navigate(to, { replace: true, notice: said });
  }, [next]);

  /** A passkey's assertion for a passwordless attempt → the session, then onwards. */
  const signInWith = useCallback(async (attempt: string, response: Parameters<typeof api.passkeyLogin>[1]) => {
    await api.passkeyLogin(attempt, response);
    await reload();
    await finish();
  }, [reload, finish]);

  /** Offers the user's passkeys in the username field's autofill, until one is picked or the page is left. */
  const startAutofill = useCallback(async () => {
    if (!(await autofillSupported())) return;
    const { attempt, options } = await api.passkeyLoginOptions();
    const response = await autofillPasskey(options);
    await passkey.run(() => signInWith(attempt, response));
  }, [passkey.run, signInWith]);

  const anonymous = state.status === 'anonymous';
  useEffect(() => {
    if (!anonymous) return undefined; // a signed-in user is only passing through
    startAutofill().catch(() => {}); // aborted by the button or by leaving; or no passkeys on this server: the form still works
    return cancelAutofill;
  }, [startAutofill, anonymous]);

  if (state.status === 'signed-in' && !action.pending && !passkey.pending) return <Redirect to={next} />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      const result = await login({ username: username.trim(), password });
      if (result.status === 'mfa-required') {
        holdSignIn({ challenge: result.challenge, next });
        return navigate(pathTo('mfa'));
      }
      if (result.user) await finish();
    });
  };

  const withPasskey = async () => {
    const done = await passkey.run(async () => {
      const { attempt, options } = await api.passkeyLoginOptions(); // a new attempt: the autofill's request is aborted
      await signInWith(attempt, await getPasskey(options));
      return true;
    });
    if (!done) startAutofill().catch(() => {}); // cancelled or refused: offer the autofill again
  };

  return (
    <section className="card narrow">
      <PageTitle>Sign in</PageTitle>
      <Notice tone="info">{notice}</Notice>
      <form onSubmit={submit}>
        <Field label="Email or username" name="username" value={username} onChange={setUsername} autoComplete="username webauthn" required
          autoCapitalize="none" spellCheck={false} />
        <Field label="Password" name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" required />
        <ErrorAlert error={action.error}>
          {isApiError(action.error, 'LOGIN_USER_NOT_VERIFIED') ? <p><Link href={pathTo('verify')}>Get a verification link</Link></p> : null}
        </ErrorAlert>
        <SubmitButton pending={action.pending} pendingText="Signing in…">Sign in</SubmitButton>
      </form>
      {passkeysSupported() ? (
        <div className="providers">
          <p className="divider"><span>or</span></p>
          <SubmitButton type="button" className="button" pending={passkey.pending} pendingText="Waiting for your passkey…" onClick={withPasskey}>
            Sign in with a passkey
          </SubmitButton>
          <ErrorAlert error={isAborted(passkey.error) ? null : passkey.error} />
        </div>
      ) : null}
      <ProviderButtons next={next} />
      <p className="links">
        <Link href={pathTo('forgotPassword')}>Forgot your password?</Link>
        <Link href={pathTo('register')}>Create an account</Link>
        <Link href={pathTo('verify')}>Verify your email</Link>
      </p>
    </section>
  );
}
