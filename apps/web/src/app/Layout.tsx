import { Badge, Spinner } from '@ovhcloud/ods-react';
import { Suspense } from 'react';
import { Link, Outlet } from 'react-router';
import { useMeta } from '../data/meta/hooks.ts';

function ModeBadge() {
  const meta = useMeta();
  if (meta.data?.mode === 'simulator') {
    return (
      <Badge color="warning" title="Installs run against the built-in OVH API simulator">
        Simulator
      </Badge>
    );
  }
  if (meta.data?.mode === 'real') {
    return <Badge color="information">{meta.data.endpoint}</Badge>;
  }
  return null;
}

export function Layout() {
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/servers" className="app-header__brand">
          BYOI Console
        </Link>
        <span className="app-header__section">Bare Metal Cloud</span>
        <ModeBadge />
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Suspense
          fallback={
            <div className="page-loading">
              <Spinner size="md" aria-label="Loading" />
            </div>
          }
        >
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
