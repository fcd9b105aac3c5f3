import { PageTitle } from '../components/PageTitle.tsx';
import { Link } from '../router/Link.tsx';
import { pathTo } from '../router/routes.ts';

export function NotFoundPage() {
  return (
    <section className="card narrow">
      <PageTitle>Page not found</PageTitle>
      <p>There is no page at this address.</p>
      <p className="links"><Link href={pathTo('home')}>Go to the start page</Link></p>
    </section>
  );
}
