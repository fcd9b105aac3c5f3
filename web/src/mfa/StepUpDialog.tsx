import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { Reauthentication } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { Loading } from '../components/Loading.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useAction } from '../hooks/useAction.ts';
import { useLoad } from '../hooks/useLoad.ts';
import { cleanCode, cleanRecoveryCode } from './otpauth.ts';
import { currentStepUp, stepUpProofs, subscribeStepUp, type Proof } from './stepUp.ts';
import { getPasskey } from './webauthn.ts';

const SWITCH: Record<Proof, string> = {
  passkey: 'Use a passkey', totp: 'Use your authenticator app', password: 'Use your password', recovery_code: 'Use a recovery code',
};

/**
 * The step-up dialog (a modal <dialog>: focus stays inside, Escape cancels). Opened when an action is refused for
 * want of a recent proof (403 REAUTHENTICATION_REQUIRED); once the user has proved themselves (POST
 * /auth/reauthenticate), the client sends the refused request again and the action carries on where it was.
 */
export function StepUpDialog() {
  const request = useSyncExternalStore(subscribeStepUp, currentStepUp, () => null);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (request && !dialog.open) dialog.showModal();
    if (!request && dialog.open) dialog.close();
  }, [request]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="step-up-title"
      onCancel={(e) => { e.preventDefault(); request?.finish(false); }}>
      {request ? <StepUpForm key={request.id} onDone={(ok) => request.finish(ok)} /> : null}
    </dialog>
  );
}

function StepUpForm({ onDone }: { onDone(ok: boolean): void }) {
  const factors = useLoad(() => api.myFactors(), 'step-up');
  const proofs = factors.loading ? [] : stepUpProofs(factors.error ? undefined : factors.data);
  const [chosen, setChosen] = useState<Proof | null>(null);
  const proof = chosen ?? proofs[0];
  const [value, setValue] = useState('');
  const action = useAction();

  const prove = (make: () => Promise<Reauthentication>) => action.run(async () => {
    await api.reauthenticate(await make());
    onDone(true);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (proof === 'password') void prove(async () => ({ password: value }));
    if (proof === 'totp') void prove(async () => ({ totp_code: cleanCode(value) }));
    if (proof === 'recovery_code') void prove(async () => ({ recovery_code: cleanRecoveryCode(value) }));
  };
  const withPasskey = () => prove(async () => ({ passkey: await getPasskey(await api.reauthenticatePasskeyOptions()) }));
  const choose = (p: Proof) => {
    setChosen(p);
    setValue('');
    action.clear();
    if (p === 'passkey') void withPasskey();
  };

  return (
    <div className="dialog-body">
      <h2 id="step-up-title">Confirm it is you</h2>
      <p>This change needs a recent proof that you are you.{proof === 'password' ? '' : ' Use your strongest sign-in method.'}</p>
      {factors.loading ? <Loading label="Loading your sign-in methods…" /> : null}
      {proof === 'passkey' ? (
        <SubmitButton type="button" className="button primary wide" pending={action.pending} pendingText="Waiting for your passkey…" onClick={withPasskey} autoFocus>
          Confirm with a passkey
        </SubmitButton>
      ) : null}
      {proof === 'password' || proof === 'totp' || proof === 'recovery_code' ? (
        <form onSubmit={submit}>
          {proof === 'password' ? (
            <Field key="password" label="Your password" name="password" type="password" value={value} onChange={setValue} autoComplete="current-password" required autoFocus
              hint="If you sign in only with a provider, sign out and sign in again instead." />
          ) : proof === 'totp' ? (
            <Field key="totp" label="Code from your authenticator app" name="totp_code" value={value} onChange={setValue} autoComplete="one-time-code"
              inputMode="numeric" pattern="[0-9 ]*" maxLength={8} required autoFocus />
          ) : (
            <Field key="recovery" label="Recovery code" name="recovery_code" value={value} onChange={setValue} autoComplete="off" autoCapitalize="none"
              spellCheck={false} required autoFocus hint="It will be used up." />
          )}
          <SubmitButton pending={action.pending} pendingText="Checking…">Confirm</SubmitButton>
        </form>
      ) : null}
      <ErrorAlert error={action.error} />
      <div className="actions">
        {proofs.filter((p) => p !== proof).map((p) => (
          <button key={p} type="button" className="button small" onClick={() => choose(p)}>{SWITCH[p]}</button>
        ))}
        <button type="button" className="button small" onClick={() => onDone(false)}>Cancel</button>
      </div>
    </div>
  );
}
