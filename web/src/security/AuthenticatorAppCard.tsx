import { useState, type FormEvent } from 'react';
import type { Factors, TotpEnrolment } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { formatDate } from '../format.ts';
import { useAction } from '../hooks/useAction.ts';
import type { Loaded } from '../hooks/useLoad.ts';
import { QrCode } from '../mfa/QrCode.tsx';
import { cleanCode, describeOtpauth, groupSecret } from '../mfa/otpauth.ts';

/**
 * The authenticator app (TOTP, RFC 6238): set up by scanning a QR code (or typing the key), turned on only by a first
 * code from the app; then removable (with a fresh proof).
 */
export function AuthenticatorAppCard({ factors, onCodes }: { factors: Loaded<Factors>; onCodes(codes: string[]): void }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const totp = factors.data?.totp;

  const start = async () => {
    setNotice(null);
    const pending = await action.run(() => api.startTotp());
    if (pending) setEnrolment(pending);
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    const first = factors.data?.mfa_enabled === false;
    const done = await action.run(() => api.confirmTotp(cleanCode(code)));
    if (!done) return;
    setEnrolment(null);
    setCode('');
    setNotice(`The authenticator app is on.${first ? ' Your other devices were signed out: they signed in without it.' : ''}`);
    onCodes(done.recovery_codes);
    factors.reload();
  };
  const remove = () => action.run(async () => {
    await api.removeTotp();
    setNotice('The authenticator app is off.');
    factors.reload();
  });

  return (
    <section aria-labelledby="totp-title">
      <h2 id="totp-title">Authenticator app {totp?.enabled ? <span className="badge ok">on</span> : null}</h2>
      {totp?.enabled ? (
        <>
          <p>Codes from your authenticator app are your second factor{totp.created_at ? ` (since ${formatDate(totp.created_at)})` : ''}.</p>
          <ConfirmButton label="Turn off…" question="Turn off the authenticator app?" confirmLabel="Yes, turn it off" pending={action.pending} onConfirm={remove} />
        </>
      ) : enrolment ? (
        <Enrolment enrolment={enrolment} code={code} setCode={setCode} pending={action.pending} onSubmit={confirm}
          onCancel={() => { setEnrolment(null); setCode(''); action.clear(); }} />
      ) : factors.data ? (
        <>
          <p className="muted">An app such as a password manager or an authenticator on your phone shows a new 6-digit code every 30 seconds.</p>
          <SubmitButton type="button" className="button primary" pending={action.pending} pendingText="Preparing…" onClick={start}>
            Set up an authenticator app
          </SubmitButton>
        </>
      ) : null}
      <ErrorAlert error={action.error} />
      <Notice>{notice}</Notice>
    </section>
  );
}

function Enrolment({ enrolment, code, setCode, pending, onSubmit, onCancel }:
  { enrolment: TotpEnrolment; code: string; setCode(v: string): void; pending: boolean; onSubmit(e: FormEvent): void; onCancel(): void }) {
  const { issuer, account } = describeOtpauth(enrolment.otpauth_uri);
  const named = [issuer, account].filter(Boolean).join(' · ');
  return (
    <form onSubmit={onSubmit} aria-label="Set up the authenticator app">
      <ol className="steps">
        <li>
          <p>Scan this QR code with the app{named ? <> (it will show <strong>{named}</strong>)</> : null}.</p>
          <QrCode value={enrolment.otpauth_uri} label={`QR code to add ${named || 'this account'} to an authenticator app`} />
          <p className="muted">Cannot scan it? Enter this key in the app:</p>
          <p><code className="secret" data-testid="totp-secret">{groupSecret(enrolment.secret)}</code></p>
        </li>
        <li>
          <Field label="Code from the app" name="totp_code" value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric"
            pattern="[0-9 ]*" maxLength={8} required hint="The 6-digit code it shows now: it turns the app on." />
        </li>
      </ol>
      <div className="actions">
        <SubmitButton className="button primary" pending={pending} pendingText="Checking…">Turn on</SubmitButton>
        <button type="button" className="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
