/** "21–40 of 57" with Previous / Next, for offset paging. */
export function Pager({ offset, limit, total, onPage, label }:
  { offset: number; limit: number; total: number; onPage(offset: number): void; label: string }) {
  if (total === 0) return null;
  const first = offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>Previous</button>
      <p aria-live="polite">{first}–{last} of {total}</p>
      <button type="button" className="button" disabled={last >= total} onClick={() => onPage(offset + limit)}>Next</button>
    </nav>
  );
}
