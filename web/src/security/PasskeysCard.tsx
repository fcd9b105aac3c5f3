import { useState, type FormEvent } from 'react';
import type { Passkey } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { formatDate } from '../format.ts';
import { useAction } from '../hooks/useAction.ts';
import { useLoad } from '../hooks/useLoad.ts';
import { Loading } from '../components/Loading.tsx';
import { createPasskey, passkeysSupported, suggestPasskeyName } from '../mfa/webauthn.ts';

/**
 * The user's passkeys (GET /users/me/passkeys): add one (named), rename, remove. A passkey signs in alone, or serves
 * as the second factor. `firstFactor`: the user has no second factor yet (adding one signs their other devices out);
 * `onChanged` lets the page re-read the factors.
 */
export function PasskeysCard({ userId, firstFactor, onChanged }: { userId: string; firstFactor: boolean; onChanged(): void }) {
  const list = useLoad(() => api.myPasskeys(), `passkeys:${userId}`);
  const suggested = suggestPasskeyName(typeof navigator === 'undefined' ? undefined : navigator.userAgent);
  const [name, setName] = useState(suggested);
  const [notice, setNotice] = useState<string | null>(null);
  const adding = useAction();
  const passkeys = list.data ?? [];
  const changed = (said: string) => {
    setNotice(said);
    list.reload();
    onChanged();
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    const first = firstFactor;
    const created = await adding.run(async () => {
      const options = await api.passkeyRegistrationOptions();
      return api.addPasskey(name.trim() || suggested, await createPasskey(options));
    });
    if (!created) return;
    setName(suggested);
    changed(`Passkey “${created.name}” added.${first ? ' Your other devices were signed out: they signed in without it.' : ''}`);
  };

  return (
    <section aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p className="muted">Sign in with your fingerprint, face, PIN or security key instead of a password. A passkey also works as a second factor.</p>
      {list.loading && !list.data ? <Loading label="Loading your passkeys…" /> : null}
      <ErrorAlert error={list.error} focus={false} />
      {list.data ? (
        <ul className="passkeys" aria-label="Your passkeys">
          {passkeys.length === 0 ? <li>No passkey yet.</li> : null}
          {passkeys.map((p) => <PasskeyRow key={p.id} passkey={p} onChanged={changed} />)}
        </ul>
      ) : null}
      <Notice>{notice}</Notice>
      {passkeysSupported() ? (
        <form onSubmit={add} aria-label="Add a passkey">
          <Field label="Name of the new passkey" name="passkey_name" value={name} onChange={setName} maxLength={64} required
            hint="To tell your passkeys apart, e.g. “Work laptop”." />
          <ErrorAlert error={adding.error} />
          <SubmitButton pending={adding.pending} pendingText="Waiting for your device…">Add a passkey</SubmitButton>
        </form>
      ) : <p className="muted">This browser cannot make passkeys.</p>}
    </section>
  );
}

function PasskeyRow({ passkey, onChanged }: { passkey: Passkey; onChanged(notice: string): void }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(passkey.name);
  const action = useAction();

  const rename = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await action.run(() => api.renamePasskey(passkey.id, name.trim()));
    if (!saved) return;
    setRenaming(false);
    onChanged(`Renamed to “${saved.name}”.`);
  };
  const remove = () => action.run(async () => {
    await api.deletePasskey(passkey.id);
    onChanged(`Passkey “${passkey.name}” removed.`);
  });

  return (
    <li className="passkey" data-passkey-id={passkey.id}>
      {renaming ? (
        <form onSubmit={rename} className="inline-form" aria-label={`Rename ${passkey.name}`}>
          <Field label={`New name for “${passkey.name}”`} name="name" value={name} onChange={setName} maxLength={64} required autoFocus />
          <div className="actions">
            <SubmitButton className="button primary" pending={action.pending} pendingText="Saving…">Save</SubmitButton>
            <button type="button" className="button" onClick={() => { setRenaming(false); setName(passkey.name); action.clear(); }}>Cancel</button>
          </div>
        </form>
      ) : (
        <>
          <div>
            <p className="passkey-name">{passkey.name}{passkey.backed_up ? <span className="badge ok">synced</span> : null}</p>
            <p className="muted">Added {formatDate(passkey.created_at)} · {passkey.last_used_at ? `last used ${formatDate(passkey.last_used_at)}` : 'never used'}</p>
          </div>
          <div className="actions">
            <button type="button" className="button" onClick={() => setRenaming(true)} aria-label={`Rename ${passkey.name}`}>Rename</button>
            <ConfirmButton label="Remove…" question={`Remove the passkey “${passkey.name}”?`} confirmLabel="Yes, remove" pending={action.pending} onConfirm={remove} />
          </div>
        </>
      )}
      <ErrorAlert error={action.error} />
    </li>
  );
}
