import { useEffect, useState, type FormEvent } from 'react';
import { isApiError } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { NotAvailable } from '../components/NotAvailable.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { isUnavailable } from '../messages.ts';
import { Link } from '../router/Link.tsx';
import { navigate } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';
import { useTokenFromUrl } from '../hooks/useTokenFromUrl.ts';

/** The page the password-reset email links to: /reset-password?token=… */
export function ResetPasswordPage() {
  const token = useTokenFromUrl();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const action = useAction();
  useEffect(() => { if (mismatch && password === confirm) setMismatch(false); }, [mismatch, password, confirm]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) return setMismatch(true);
    const done = await action.run(() => api.resetPassword(token!, password).then(() => true));
    if (done) navigate(pathTo('login'), { replace: true, notice: 'Your password is changed. Sign in with the new one.' });
  };

  const badToken = isApiError(action.error, 'RESET_PASSWORD_BAD_TOKEN');
  return (
    <section className="card narrow">
      <PageTitle>Choose a new password</PageTitle>
      {token === null ? (
        <ErrorAlert error="This page needs the link from the password-reset email." focus={false}>
          <p><Link href={pathTo('forgotPassword')}>Ask for a reset link</Link></p>
        </ErrorAlert>
      ) : (
        <form onSubmit={submit}>
          <Field label="New password" name="password" type="password" value={password} onChange={setPassword} autoComplete="new-password" required
            error={isApiError(action.error, 'RESET_PASSWORD_INVALID_PASSWORD') ? action.error.reason ?? 'Not accepted.' : undefined} />
          <Field label="Repeat the new password" name="confirm" type="password" value={confirm} onChange={setConfirm} autoComplete="new-password" required
            error={mismatch ? 'The two passwords differ.' : undefined} />
          {isUnavailable(action.error) ? <NotAvailable feature="Password reset" /> : (
            <ErrorAlert error={mismatch ? 'The two passwords differ.' : action.error}>
              {badToken ? <p><Link href={pathTo('forgotPassword')}>Ask for a new link</Link></p> : null}
            </ErrorAlert>
          )}
          <SubmitButton pending={action.pending} pendingText="Saving…">Save the new password</SubmitButton>
        </form>
      )}
    </section>
  );
}
