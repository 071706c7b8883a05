import { Badge, Button, Icon, Spinner } from '@ovhcloud/ods-react';
import { useQueryClient } from '@tanstack/react-query';
import { Suspense, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useMeta } from '../data/meta/hooks.ts';
import { useSession, useSignOut } from '../data/session/hooks.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { SIGN_IN_PATH } from './signIn.ts';

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

function UserBox() {
  const session = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const user = session.data?.user;
  if (!user) return null;
  return (
    <div className="app-header__user">
      <span className="app-header__who">
        <span className="app-header__name">{user.username}</span>
        <span className="app-header__role">{user.role}</span>
      </span>
      <Button
        size="sm"
        variant="outline"
        className="app-header__signout"
        loading={signOut.isPending}
        disabled={signOut.isPending}
        onClick={() =>
          signOut.mutate(undefined, {
            onSuccess: () => {
              void Promise.resolve(navigate(SIGN_IN_PATH, { replace: true })).then(() =>
                queryClient.removeQueries(),
              );
            },
          })
        }
      >
        Sign out
      </Button>
      {signOut.isError ? (
        <span className="app-header__error" role="alert">
          Sign-out failed: {signOut.error.message}
        </span>
      ) : null}
    </div>
  );
}

export function Layout() {
  const session = useSession();
  const isOperator = session.data?.user.role === 'operator';
  // A 401 is already on its way to the sign-in page; any other failure is said here.
  const sessionFailed = session.isError && session.error.status !== 401;
  // On a narrow screen the links and the user sit behind one Menu button; a navigation closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  const { pathname } = useLocation();
  const [menuPath, setMenuPath] = useState(pathname);
  if (menuPath !== pathname) {
    setMenuPath(pathname);
    setMenuOpen(false);
  }
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
        <button
          type="button"
          className="app-header__toggle"
          aria-expanded={menuOpen}
          aria-controls="app-header-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name={menuOpen ? 'xmark' : 'hamburger-menu'} aria-hidden="true" />
          Menu
        </button>
        <div
          className="app-header__menu"
          id="app-header-menu"
          data-open={menuOpen ? 'true' : 'false'}
        >
          <nav className="app-header__nav" aria-label="Main">
            <NavLink to="/servers">Dedicated servers</NavLink>
            <NavLink to="/images">Images</NavLink>
            <NavLink to="/rollouts">Rollouts</NavLink>
            {isOperator ? <NavLink to="/webhooks">Webhooks</NavLink> : null}
            {isOperator ? <NavLink to="/audit">Audit log</NavLink> : null}
          </nav>
          <UserBox />
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {sessionFailed ? (
          <ErrorMessage error={session.error} title="Could not check who is signed in." />
        ) : null}
        {session.data ? (
          <Suspense
            fallback={
              <div className="page-loading">
                <Spinner size="md" aria-label="Loading" />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        ) : session.isPending ? (
          <div className="page-loading">
            <Spinner size="md" aria-label="Loading" />
          </div>
        ) : null}
      </main>
    </div>
  );
}
