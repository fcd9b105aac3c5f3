import type { User } from '../../../client/src/index.ts';
import { ResendVerificationForm } from '../components/ResendVerificationForm.tsx';
import { ROLE_LABELS, formatDate } from '../format.ts';

/** Who the user is to the server: role, email verification (with a way to get a new link), member since. */
export function EmailStatus({ user }: { user: User }) {
  return (
    <section aria-labelledby="status-title">
      <h2 id="status-title">Account</h2>
      <dl className="facts">
        <div><dt>Role</dt><dd data-testid="my-role">{ROLE_LABELS[user.role]}</dd></div>
        <div><dt>Email</dt><dd>{user.email} · {user.is_verified ? <span className="badge ok">verified</span> : <span className="badge warn">not verified</span>}</dd></div>
        <div><dt>Member since</dt><dd>{formatDate(user.created_at)}</dd></div>
      </dl>
      {user.is_verified ? null : <ResendVerificationForm initialEmail={user.email} fixedEmail />}
    </section>
  );
}
