import { useState, type FormEvent } from 'react';
import { ROLES, type Role } from '../../../client/src/index.ts';
import { ROLE_LABELS } from '../format.ts';

/** Search (email, username, full name) and a role filter; submitting starts again from the first page. */
export function UserSearchForm({ q, role, onSearch }: { q: string; role: Role | ''; onSearch(q: string, role: Role | ''): void }) {
  const [text, setText] = useState(q);
  const [selected, setSelected] = useState<Role | ''>(role);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim(), selected);
  };
  return (
    <form className="search" role="search" onSubmit={submit} aria-label="Search users">
      <div className="field">
        <label htmlFor="user-search">Search</label>
        <input id="user-search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Email, username or name"
          autoCapitalize="none" spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor="role-filter">Role</label>
        <select id="role-filter" value={selected} onChange={(e) => setSelected(e.target.value as Role | '')}>
          <option value="">Any role</option>
          {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
        </select>
      </div>
      <button type="submit" className="button primary">Search</button>
    </form>
  );
}
