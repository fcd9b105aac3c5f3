import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { NotAvailable } from '../components/NotAvailable.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { isUnavailable } from '../messages.ts';
import { Link } from '../router/Link.tsx';
import { pathTo } from '../router/routes.ts';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const address = email.trim();
    if (await action.run(() => api.forgotPassword(address).then(() => true))) setSentTo(address);
  };

  return (
    <section className="card narrow">
      <PageTitle>Reset your password</PageTitle>
      {sentTo ? (
        <Notice>If an account uses {sentTo}, we sent it a link to choose a new password. The link works once, for a limited time.</Notice>
      ) : (
        <form onSubmit={submit}>
          <p>Enter the email address of your account; we will send you a link to choose a new password.</p>
          <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" required />
          {isUnavailable(action.error) ? <NotAvailable feature="Password reset" /> : <ErrorAlert error={action.error} />}
          <SubmitButton pending={action.pending} pendingText="Sending…">Send the link</SubmitButton>
        </form>
      )}
      <p className="links"><Link href={pathTo('login')}>Back to sign in</Link></p>
    </section>
  );
}
