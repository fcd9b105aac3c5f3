import { useState } from 'react';
import type { LinkedAccount } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { NotAvailable } from '../components/NotAvailable.tsx';
import { Notice } from '../components/Notice.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { PROVIDERS, type Provider } from '../config.ts';
import { useAction } from '../hooks/useAction.ts';
import { useLoad } from '../hooks/useLoad.ts';
import { isUnavailable } from '../messages.ts';
import { startOAuth } from '../oauth.ts';

/** External accounts (GitHub, Google, OIDC) the user can sign in with: link one, unlink one. */
export function LinkedAccounts() {
  const accounts = useLoad(() => api.linkedAccounts(), 'accounts');
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const label = (name: string) => PROVIDERS.find((p) => p.name === name)?.label ?? name;

  const unlink = (a: LinkedAccount) => {
    setBusy(a.provider);
    setNotice(null);
    void action.run(async () => {
      await api.unlinkAccount(a.provider);
      setNotice(`${label(a.provider)} is unlinked.`);
      accounts.reload();
    }).finally(() => setBusy(null));
  };
  const link = (p: Provider) => {
    setBusy(p.name);
    void action.run(() => startOAuth(p, 'link')).finally(() => setBusy(null));
  };

  const linked = new Set((accounts.data ?? []).map((a) => a.provider));
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">Linked accounts</h2>
      {accounts.loading && !accounts.data ? <Loading label="Loading linked accounts…" /> : null}
      {accounts.error ? (isUnavailable(accounts.error) ? <NotAvailable feature="Signing in with other accounts" /> : <ErrorAlert error={accounts.error} focus={false} />) : null}
      {accounts.data ? (
        <ul className="accounts">
          {accounts.data.length === 0 ? <li>No linked account.</li> : null}
          {accounts.data.map((a) => (
            <li key={a.provider}>
              <span><strong>{label(a.provider)}</strong>{a.account_email ? ` · ${a.account_email}` : ''}</span>
              <SubmitButton type="button" className="button" pending={busy === a.provider} pendingText="Unlinking…" onClick={() => unlink(a)}
                aria-label={`Unlink ${label(a.provider)}`}>Unlink</SubmitButton>
            </li>
          ))}
          {PROVIDERS.filter((p) => !linked.has(p.name)).map((p) => (
            <li key={p.name}>
              <span>{p.label}</span>
              <SubmitButton type="button" className="button" pending={busy === p.name} pendingText="Opening…" onClick={() => link(p)}
                aria-label={`Link ${p.label}`}>Link</SubmitButton>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorAlert error={action.error} />
      <Notice>{notice}</Notice>
    </section>
  );
}
