import { useState, type FormEvent } from 'react';
import { AUDIT_TYPES, type AuditQuery } from '../../../client/src/index.ts';
import { AuditTable } from '../admin/AuditTable.tsx';
import { api } from '../api.ts';
import { RequireManager } from '../auth/RequireManager.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { NotAvailable } from '../components/NotAvailable.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { Pager } from '../components/Pager.tsx';
import { useLoad } from '../hooks/useLoad.ts';
import { isUnavailable } from '../messages.ts';
import { navigate } from '../router/history.ts';
import { pathTo } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';

const PAGE_SIZE = 50;

/** GET /admin/audit: who did what, when, from where. Says so plainly if the server has no audit log. */
export function AuditPage() {
  return <RequireManager>{() => <AuditBrowser />}</RequireManager>;
}

function AuditBrowser() {
  const { query, href } = useLocation();
  const typeParam = query.get('type') ?? '';
  const type = (AUDIT_TYPES as readonly string[]).includes(typeParam) ? typeParam as NonNullable<AuditQuery['type']> : '';
  const userId = query.get('user_id') ?? '';
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const page = useLoad(() => api.auditLog({ type: type || undefined, user_id: userId || undefined, limit: PAGE_SIZE, offset }), href);
  const [typeText, setTypeText] = useState(type);
  const [userText, setUserText] = useState(userId);
  const go = (o: number, t: string = type, u = userId) => navigate(pathTo('audit', {}, { type: t, user_id: u, offset: o || undefined }));
  const search = (e: FormEvent) => {
    e.preventDefault();
    go(0, typeText.trim(), userText.trim());
  };

  if (isUnavailable(page.error)) {
    return (
      <>
        <PageTitle>Audit log</PageTitle>
        <section className="card"><NotAvailable feature="The audit log" /></section>
      </>
    );
  }
  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <section className="card">
        <form className="search" role="search" onSubmit={search} aria-label="Filter events">
          <div className="field">
            <label htmlFor="audit-type">Event type</label>
            <select id="audit-type" value={typeText} onChange={(e) => setTypeText(e.target.value)}>
              <option value="">Any event</option>
              {AUDIT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-user">User ID</label>
            <input id="audit-user" value={userText} onChange={(e) => setUserText(e.target.value)} autoCapitalize="none" spellCheck={false}
              placeholder="Any user" />
          </div>
          <button type="submit" className="button primary">Filter</button>
        </form>
        {page.loading ? <Loading label="Loading events…" /> : null}
        <ErrorAlert error={page.error} focus={false} />
        {page.data ? (
          <>
            <AuditTable events={page.data.items} />
            <Pager offset={offset} limit={PAGE_SIZE} total={page.data.total} onPage={(o) => go(o)} label="Pages of events" />
          </>
        ) : null}
      </section>
    </>
  );
}
