import { useEffect, useRef, useState } from 'react';
import { Notice } from '../components/Notice.tsx';
import { APP_NAME } from '../config.ts';
import { recoveryCodesFileName, recoveryCodesText } from '../mfa/recovery.ts';

/** New recovery codes, shown this once: copy them, download them, then say they are saved. */
export function RecoveryCodesPanel({ codes, account, onDone }: { codes: string[]; account: string; onDone(): void }) {
  const title = useRef<HTMLHeadingElement>(null);
  const [said, setSaid] = useState<string | null>(null);
  useEffect(() => title.current?.focus(), []);
  const text = () => recoveryCodesText(codes, account, APP_NAME);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text());
      setSaid('Copied. Paste them somewhere safe.');
    } catch {
      setSaid('This browser did not allow copying: select the codes, or download them.');
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text()], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = recoveryCodesFileName(APP_NAME);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setSaid('Downloaded.');
  };

  return (
    <section aria-labelledby="new-codes-title" className="recovery">
      <h2 id="new-codes-title" ref={title} tabIndex={-1}>Your recovery codes</h2>
      <p>
        Save them now: <strong>they are shown only this once</strong>. If you lose your passkey or your phone, each code signs you in
        once instead of the second factor.
      </p>
      <ol className="codes" data-testid="recovery-codes">
        {codes.map((c) => <li key={c} className="mono">{c}</li>)}
      </ol>
      <Notice>{said}</Notice>
      <div className="actions">
        <button type="button" className="button" onClick={copy}>Copy</button>
        <button type="button" className="button" onClick={download}>Download</button>
        <button type="button" className="button primary" onClick={onDone}>I have saved them</button>
      </div>
    </section>
  );
}
