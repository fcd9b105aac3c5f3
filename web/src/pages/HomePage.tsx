import { useAuth } from '../auth/AuthContext.ts';
import { Loading } from '../components/Loading.tsx';
import { Redirect } from '../router/Redirect.tsx';
import { pathTo } from '../router/routes.ts';

/** "/": the profile when signed in, else the sign-in page. */
export function HomePage() {
  const { state } = useAuth();
  if (state.status === 'loading') return <Loading />;
  return <Redirect to={pathTo(state.status === 'signed-in' ? 'profile' : 'login')} />;
}
