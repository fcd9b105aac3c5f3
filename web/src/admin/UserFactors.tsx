import { useState } from 'react';
import type { User } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Notice } from '../components/Notice.tsx';
import { formatDate } from '../format.ts';
import { useAction } from '../hooks/useAction.ts';
import { useLoad } from '../hooks/useLoad.ts';

/**
 * A managed user's second factors (GET /users/{id}/factors), and lost-device recovery: remove them all (DELETE
 * /users/{id}/factors; the server audits it, mails the user and asks the admin for a fresh proof).
 */
export function UserFactors({ user }: { user: User }) {
  const factors = useLoad(() => api.userFactors(user.id), `factors:${user.id}`);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const f = factors.data;
  const reset = () => action.run(async () => {
    await api.removeUserFactors(user.id);
    setNotice(`Every second factor of ${user.email} was removed; they were told by email.`);
    factors.reload();
  });
  return (
    <section aria-labelledby="user-factors-title">
      <h2 id="user-factors-title">Sign-in factors</h2>
      {factors.loading && !f ? <Loading label="Loading the factors…" /> : null}
      <ErrorAlert error={factors.error} focus={false} />
      {f ? (
        <>
          <dl className="facts facts-wide" data-testid="user-factors">
            <div><dt>Second factor</dt><dd>{f.mfa_enabled ? <span className="badge ok">on</span> : <span className="badge">off</span>}{f.mfa_required ? <span className="badge warn">required by role</span> : null}</dd></div>
            <div><dt>Authenticator app</dt><dd>{f.totp.enabled ? `on since ${formatDate(f.totp.created_at)}` : 'off'}</dd></div>
            <div><dt>Recovery codes</dt><dd>{f.recovery_codes.remaining} left</dd></div>
            <div><dt>Passkeys</dt><dd>{f.passkeys.length === 0 ? 'none' : f.passkeys.length}</dd></div>
          </dl>
          {f.passkeys.length > 0 ? (
            <ul className="passkeys" aria-label={`Passkeys of ${user.email}`}>
              {f.passkeys.map((p) => (
                <li key={p.id} className="passkey">
                  <div>
                    <p className="passkey-name">{p.name}{p.backed_up ? <span className="badge ok">synced</span> : null}</p>
                    <p className="muted">Added {formatDate(p.created_at)} · {p.last_used_at ? `last used ${formatDate(p.last_used_at)}` : 'never used'}</p>
                  </div>
                </li>
              ))}
            </ul>
          ) : null}
          {f.mfa_enabled || f.recovery_codes.remaining > 0 ? (
            <>
              <p className="muted">For a user who lost their device: check who is asking first. They will sign in with their password alone{f.mfa_required ? ', then must enrol a new factor' : ''}.</p>
              <ConfirmButton label="Remove factors…" question={`Remove every passkey, the authenticator app and the recovery codes of ${user.email}?`}
                confirmLabel="Yes, remove them" pending={action.pending} onConfirm={reset} />
            </>
          ) : null}
        </>
      ) : null}
      <ErrorAlert error={action.error} />
      <Notice>{notice}</Notice>
    </section>
  );
}
