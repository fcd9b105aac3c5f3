import type { Session } from '../../../client/src/index.ts';
import { describeDevice, formatDate } from '../format.ts';
import { SubmitButton } from './SubmitButton.tsx';

/** Login sessions (devices), newest use first, each with a way to end it. Used on the profile and by admins. */
export function SessionList({ sessions, onRevoke, pendingId, markCurrent }:
  { sessions: Session[]; onRevoke(session: Session): void; pendingId: string | null; markCurrent: boolean }) {
  if (sessions.length === 0) return <p>No active sessions.</p>;
  const sorted = [...sessions].sort((a, b) => b.last_used_at.localeCompare(a.last_used_at));
  return (
    <ul className="sessions">
      {sorted.map((s) => {
        const device = describeDevice(s.user_agent);
        const current = markCurrent && s.current;
        return (
          <li key={s.id} className="session" data-session-id={s.id}>
            <div>
              <p className="session-device">{device}{current ? <span className="badge">This device</span> : null}</p>
              <p className="muted">
                {s.ip ? `${s.ip} · ` : ''}last active {formatDate(s.last_used_at)} · signed in {formatDate(s.created_at)}
              </p>
            </div>
            {current ? null : (
              <SubmitButton type="button" className="button" pending={pendingId === s.id} pendingText="Signing out…"
                onClick={() => onRevoke(s)} aria-label={`Sign out ${device}, last active ${formatDate(s.last_used_at)}`}>
                Sign out
              </SubmitButton>
            )}
          </li>
        );
      })}
    </ul>
  );
}
