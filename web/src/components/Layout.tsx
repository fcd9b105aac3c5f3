import type { ReactNode } from 'react';
import { isUserManager } from '../../../client/src/index.ts';
import { useAuth } from '../auth/AuthContext.ts';
import { APP_NAME } from '../config.ts';
import { Link } from '../router/Link.tsx';
import { useLocation } from '../router/useLocation.ts';
import { pathTo, type PageName } from '../router/routes.ts';
import { SignOutButton } from './SignOutButton.tsx';

/** Header (brand, navigation, who is signed in) and the page's <main>; a skip link comes first. */
export function Layout({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const { page } = useLocation();
  const item = (to: PageName, label: string, also: string[] = []) => (
    <li><Link href={pathTo(to)} aria-current={page === to || also.includes(page) ? 'page' : undefined}>{label}</Link></li>
  );
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <Link className="brand" href={pathTo('home')}>{APP_NAME}</Link>
        <nav aria-label="Main">
          <ul>
            {user ? item('profile', 'Profile') : null}
            {user ? item('security', 'Security') : null}
            {user && isUserManager(user.role) ? item('users', 'Users', ['user']) : null}
            {user && isUserManager(user.role) ? item('audit', 'Audit log') : null}
            {user ? null : item('login', 'Sign in')}
            {user ? null : item('register', 'Create account')}
          </ul>
        </nav>
        {user ? (
          <div className="who">
            <span className="who-name" data-testid="signed-in-as">{user.username ?? user.email}</span>
            <SignOutButton />
          </div>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
