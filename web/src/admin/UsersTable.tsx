import type { User } from '../../../client/src/index.ts';
import { ROLE_LABELS, formatDate } from '../format.ts';
import { Link } from '../router/Link.tsx';
import { pathTo } from '../router/routes.ts';

/** The users of one page; on a phone each row becomes a card (see styles.css, .table-cards). */
export function UsersTable({ users, caption }: { users: User[]; caption: string }) {
  if (users.length === 0) return <p>No user matches.</p>;
  return (
    <table className="table-cards">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr><th scope="col">Email</th><th scope="col">Username</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th></tr>
      </thead>
      <tbody>
        {users.map((u) => (
          <tr key={u.id}>
            <th scope="row" data-label="Email"><Link href={pathTo('user', { id: u.id })}>{u.email}</Link></th>
            <td data-label="Username">{u.username ?? '—'}</td>
            <td data-label="Role">{ROLE_LABELS[u.role]}</td>
            <td data-label="Status">
              {u.is_active ? 'Active' : <span className="badge warn">Deactivated</span>}
              {u.is_verified ? null : <span className="badge">unverified</span>}
            </td>
            <td data-label="Created">{formatDate(u.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
