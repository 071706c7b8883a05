import { setSignInHandler } from '../data/client.ts';

export const SIGN_IN_PATH = '/sign-in';

interface AppRouter {
  state: { location: { pathname: string; search: string } };
  navigate: (to: string, options?: { replace?: boolean }) => Promise<void>;
}

/** A 401 shows the sign-in page inside the app and comes back to the same screen afterwards. */
export function connectSignIn(router: AppRouter): void {
  setSignInHandler(() => {
    const { pathname, search } = router.state.location;
    if (pathname === SIGN_IN_PATH) return;
    const next = encodeURIComponent(`${pathname}${search}`);
    void router.navigate(`${SIGN_IN_PATH}?next=${next}`, { replace: true });
  });
}

/** Only a path inside this app: never another origin (`//host`, `https:`) from a crafted link. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return '/servers';
  }
  if (next.startsWith(SIGN_IN_PATH)) return '/servers';
  return next;
}
