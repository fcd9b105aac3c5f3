import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useAction } from '../hooks/useAction.ts';
import { isUnavailable } from '../messages.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { Field } from './Field.tsx';
import { NotAvailable } from './NotAvailable.tsx';
import { Notice } from './Notice.tsx';
import { SubmitButton } from './SubmitButton.tsx';

/** Asks for a new verification email (POST /auth/request-verify-token; the answer never says if the email exists). */
export function ResendVerificationForm({ initialEmail, fixedEmail = false }: { initialEmail: string; fixedEmail?: boolean }) {
  const [email, setEmail] = useState(initialEmail);
  const [sent, setSent] = useState(false);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api.requestVerifyToken(email.trim()).then(() => true))) setSent(true);
  };
  if (sent) return <Notice>We sent a new verification link to {email.trim()} (if it is an account that still needs one).</Notice>;
  return (
    <form onSubmit={submit} aria-label="Get a new verification link">
      {fixedEmail ? null : (
        <>
          <h2>Get a new verification link</h2>
          <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" required />
        </>
      )}
      {isUnavailable(action.error) ? <NotAvailable feature="Email verification" /> : <ErrorAlert error={action.error} />}
      <SubmitButton className="button" pending={action.pending} pendingText="Sending…">Send a new verification link</SubmitButton>
    </form>
  );
}
