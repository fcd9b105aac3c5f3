import { useState, type FormEvent } from 'react';
import { isApiError, type MfaMethod, type SecondFactor } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { useTokenFromUrl } from '../hooks/useTokenFromUrl.ts';
import { challengeFor, endSignIn, orderMethods, pendingSignIn } from '../mfa/challenge.ts';
import { afterSignIn } from '../mfa/enrolment.ts';
import { cleanCode, cleanRecoveryCode } from '../mfa/otpauth.ts';
import { getPasskey, passkeysSupported } from '../mfa/webauthn.ts';
import { currentTrip, endTrip } from '../oauth.ts';
import { Link } from '../router/Link.tsx';
import { navigate } from '../router/history.ts';
import { pathTo, safeNext } from '../router/routes.ts';

const TITLES: Record<MfaMethod, string> = { totp: 'Authenticator app', passkey: 'Passkey', recovery_code: 'Recovery code' };

/**
 * The login's second step, after a password (the sign-in page hands over the challenge) or a social login
 * (Gatehouse's callback redirects to /mfa?token=… and has bound the challenge to this browser with a cookie):
 * a code from the authenticator app, a passkey, or a recovery code.
 */
export function MfaPage() {
  const token = useTokenFromUrl();
  const [held] = useState(pendingSignIn);
  const [trip] = useState(() => currentTrip());
  const challenge = challengeFor(token, held);
  const next = held?.next ?? safeNext(trip?.next);
  const methods = orderMethods(challenge?.methods ?? []).filter((m) => m !== 'passkey' || passkeysSupported());
  const [method, setMethod] = useState<MfaMethod | undefined>(methods[0]);
  const [code, setCode] = useState('');
  const { reload } = useAuth();
  const action = useAction();

  if (!challenge) {
    return (
      <section className="card narrow">
        <PageTitle>Second step</PageTitle>
        <ErrorAlert error="This sign-in is no longer waiting for a second step (it expired, or the page was reloaded). Sign in again." focus={false} />
        <p className="links"><Link href={pathTo('login')}>Back to sign in</Link></p>
      </section>
    );
  }

  const complete = (factor: () => Promise<SecondFactor>) => action.run(async () => {
    await api.completeMfa(challenge.mfa_token, await factor());
    endSignIn();
    endTrip();
    await reload();
    const { to, notice } = await afterSignIn(next);
    navigate(to, { replace: true, notice });
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (method === 'totp') void complete(async () => ({ totp_code: cleanCode(code) }));
    if (method === 'recovery_code') void complete(async () => ({ recovery_code: cleanRecoveryCode(code) }));
  };
  const withPasskey = () => complete(async () => ({ passkey: await getPasskey(await api.mfaPasskeyOptions(challenge.mfa_token)) }));
  const choose = (m: MfaMethod) => {
    setMethod(m);
    setCode('');
    action.clear();
    if (m === 'passkey') void withPasskey(); // the button said what it does: ask for the passkey at once
  };

  const over = isApiError(action.error, 'MFA_CHALLENGE_INVALID');
  return (
    <section className="card narrow">
      <PageTitle>Second step</PageTitle>
      <p>{token || trip ? 'Your provider let you in.' : 'Your password was right.'} Now confirm it is you with your second factor.</p>
      {method === 'totp' || method === 'recovery_code' ? (
        <form onSubmit={submit} aria-label={`Second step: ${TITLES[method].toLowerCase()}`}>
          {method === 'totp' ? (
            <Field label="Code from your authenticator app" name="totp_code" value={code} onChange={setCode} autoComplete="one-time-code"
              inputMode="numeric" pattern="[0-9 ]*" maxLength={8} required autoFocus hint="The 6-digit code the app shows now." />
          ) : (
            <Field label="Recovery code" name="recovery_code" value={code} onChange={setCode} autoComplete="off" autoCapitalize="none"
              spellCheck={false} required autoFocus hint="One of the codes you saved when you turned on the second factor. Each works once." />
          )}
          <ErrorAlert error={action.error}>
            {over ? <p><Link href={pathTo('login')}>Sign in again</Link></p> : null}
          </ErrorAlert>
          <SubmitButton pending={action.pending} pendingText="Checking…">Verify</SubmitButton>
        </form>
      ) : null}
      {method === 'passkey' ? (
        <>
          <ErrorAlert error={action.error}>
            {over ? <p><Link href={pathTo('login')}>Sign in again</Link></p> : null}
          </ErrorAlert>
          <SubmitButton type="button" className="button primary wide" pending={action.pending} pendingText="Waiting for your passkey…" onClick={withPasskey}>
            Use a passkey
          </SubmitButton>
        </>
      ) : null}
      {methods.length > 1 ? (
        <div className="providers">
          <p className="divider"><span>or</span></p>
          {methods.filter((m) => m !== method).map((m) => (
            <button key={m} type="button" className="button" onClick={() => choose(m)}>
              {m === 'totp' ? 'Use your authenticator app' : m === 'passkey' ? 'Use a passkey' : 'Use a recovery code'}
            </button>
          ))}
        </div>
      ) : null}
      <p className="links"><Link href={pathTo('login')}>Cancel and sign in again</Link></p>
    </section>
  );
}
