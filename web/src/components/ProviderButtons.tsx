import { useState } from 'react';
import { PROVIDERS, type Provider } from '../config.ts';
import { useAction } from '../hooks/useAction.ts';
import { isUnavailable } from '../messages.ts';
import { startOAuth } from '../oauth.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { SubmitButton } from './SubmitButton.tsx';

/** "Sign in with GitHub" etc., for the providers this build was configured with (VITE_OAUTH_PROVIDERS). */
export function ProviderButtons({ next }: { next?: string }) {
  const action = useAction();
  const [chosen, setChosen] = useState<Provider | null>(null);
  if (PROVIDERS.length === 0) return null;
  const start = (p: Provider) => {
    setChosen(p);
    void action.run(() => startOAuth(p, 'login', next));
  };
  return (
    <div className="providers">
      <p className="divider"><span>or</span></p>
      {PROVIDERS.map((p) => (
        <SubmitButton key={p.name} type="button" className="button provider" pending={action.pending && chosen?.name === p.name}
          pendingText={`Opening ${p.label}…`} onClick={() => start(p)}>
          Sign in with {p.label}
        </SubmitButton>
      ))}
      <ErrorAlert error={action.error && isUnavailable(action.error) ? `Sign-in with ${chosen?.label ?? 'this provider'} is not available on this server.` : action.error} />
    </div>
  );
}
