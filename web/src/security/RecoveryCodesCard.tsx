import type { Factors } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../hooks/useAction.ts';
import type { Loaded } from '../hooks/useLoad.ts';

/** How many recovery codes are left; new ones (which end the old ones). */
export function RecoveryCodesCard({ factors, onCodes }: { factors: Loaded<Factors>; onCodes(codes: string[]): void }) {
  const action = useAction();
  const remaining = factors.data?.recovery_codes.remaining ?? 0;
  const regenerate = () => action.run(async () => {
    const { recovery_codes } = await api.regenerateRecoveryCodes();
    onCodes(recovery_codes);
    factors.reload();
  });
  return (
    <section aria-labelledby="recovery-title">
      <h2 id="recovery-title">Recovery codes</h2>
      <p data-testid="recovery-remaining">
        {remaining === 1 ? '1 unused code left.' : `${remaining} unused codes left.`}
        {remaining <= 3 ? <span className="badge warn">get new ones</span> : null}
      </p>
      <p className="muted">Each code signs you in once if you lose your passkey or phone.</p>
      <ConfirmButton label="Get new codes…" question="New codes replace all the current ones. Continue?" confirmLabel="Yes, new codes"
        pending={action.pending} onConfirm={regenerate} />
      <ErrorAlert error={action.error} />
    </section>
  );
}
