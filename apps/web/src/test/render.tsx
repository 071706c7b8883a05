import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { createQueryClient } from '../app/queryClient.ts';
import { routes } from '../app/router.tsx';
import { connectSignIn } from '../app/signIn.ts';
import { resetSignInRedirect } from '../data/client.ts';

/** Renders the real app routes at `path`, with a fresh query cache. */
export function renderApp(path: string, state?: unknown) {
  const [pathname = path, search = ''] = path.split(/(?=\?)/);
  const router = createMemoryRouter(routes, { initialEntries: [{ pathname, search, state }] });
  resetSignInRedirect();
  connectSignIn(router);
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({
    queries: { ...queryClient.getDefaultOptions().queries, retry: false },
  });
  const user = userEvent.setup();
  const utils = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...utils, router, user, queryClient };
}
