import type { AuditEvent } from '../../../client/src/index.ts';
import { describeDevice, formatDate } from '../format.ts';
import { Link } from '../router/Link.tsx';
import { pathTo } from '../router/routes.ts';

/** A user by email, linked to their page; a deleted one by the start of their id (their page is gone). */
const userLink = (id: string | null, email: string | null) => {
  if (!id) return '—';
  if (email === null) return <span className="mono" title={`deleted user ${id}`}>{id.slice(0, 8)} (deleted)</span>;
  return <Link href={pathTo('user', { id })}>{email}</Link>;
};

/** Security events, newest first; on a phone each row becomes a card. */
export function AuditTable({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p>No event matches.</p>;
  return (
    <table className="table-cards">
      <caption className="visually-hidden">Audit events, newest first</caption>
      <thead>
        <tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">User</th><th scope="col">By</th><th scope="col">From</th><th scope="col">Detail</th></tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td data-label="When">{formatDate(e.created_at)}</td>
            <th scope="row" data-label="Event"><code>{e.type}</code></th>
            <td data-label="User">{userLink(e.user_id, e.user_email)}</td>
            <td data-label="By">{userLink(e.actor_id, e.actor_email)}</td>
            <td data-label="From">{[e.ip, e.user_agent ? describeDevice(e.user_agent) : null].filter(Boolean).join(' · ') || '—'}</td>
            <td data-label="Detail">{e.detail ? <code className="detail">{JSON.stringify(e.detail)}</code> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
