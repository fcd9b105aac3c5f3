import { isRole } from '../../../client/src/index.ts';
import { UserSearchForm } from '../admin/UserSearchForm.tsx';
import { UsersTable } from '../admin/UsersTable.tsx';
import { api } from '../api.ts';
import { RequireManager } from '../auth/RequireManager.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { Pager } from '../components/Pager.tsx';
import { useLoad } from '../hooks/useLoad.ts';
import { currentNotice, navigate } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';

const PAGE_SIZE = 20;

/** GET /users with search, role filter and paging; the query lives in the URL, so Back and reload keep it. */
export function AdminUsersPage() {
  return <RequireManager>{() => <UsersBrowser />}</RequireManager>;
}

function UsersBrowser() {
  const { query, href } = useLocation();
  const q = query.get('q') ?? '';
  const roleParam = query.get('role') ?? '';
  const role = isRole(roleParam) ? roleParam : '';
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const page = useLoad(() => api.listUsers({ q: q || undefined, role: role || undefined, limit: PAGE_SIZE, offset }), href);
  const go = (next: { q?: string; role?: string; offset?: number }) =>
    navigate(pathTo('users', {}, { q: next.q ?? q, role: next.role ?? role, offset: next.offset || undefined }));

  return (
    <>
      <PageTitle>Users</PageTitle>
      <Notice>{currentNotice()}</Notice>
      <section className="card">
        <UserSearchForm key={href} q={q} role={role} onSearch={(text, r) => go({ q: text, role: r, offset: 0 })} />
        {page.loading ? <Loading label="Loading users…" /> : null}
        <ErrorAlert error={page.error} focus={false} />
        {page.data ? (
          <>
            <p className="muted" aria-live="polite">{page.data.total === 1 ? '1 user' : `${page.data.total} users`}{q ? ` matching “${q}”` : ''}</p>
            <UsersTable users={page.data.items} caption="Users, newest first" />
            <Pager offset={offset} limit={PAGE_SIZE} total={page.data.total} onPage={(o) => go({ offset: o })} label="Pages of users" />
          </>
        ) : null}
      </section>
    </>
  );
}
