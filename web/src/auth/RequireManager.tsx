import type { ReactNode } from 'react';
import { isUserManager, type User } from '../../../client/src/index.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { RequireUser } from './RequireUser.tsx';

/** For admins and super admins (the server checks it too: this only spares others a page of 403s). */
export function RequireManager({ children }: { children: (user: User) => ReactNode }) {
  return (
    <RequireUser>
      {(user) => (isUserManager(user.role) ? children(user) : (
        <section className="card">
          <PageTitle>Not allowed</PageTitle>
          <p>This page is for administrators.</p>
        </section>
      ))}
    </RequireUser>
  );
}
