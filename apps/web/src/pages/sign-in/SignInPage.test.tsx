import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, operatorSession, SN } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const unauthenticated = () => ({
  status: 401,
  body: { error: { code: 'UNAUTHENTICATED', message: 'Sign in to use the console.' } },
});

describe('sign-in', () => {
  it('shows the sign-in page on a 401 and comes back to the same screen after signing in', async () => {
    let signedIn = false;
    const { calls } = mockApi({
      'GET /api/session': () => (signedIn ? { body: operatorSession } : unauthenticated()),
      'POST /api/session': (call) => {
        const body = call.body as { username: string; password: string };
        if (body.password !== 'correct horse') {
          return {
            status: 401,
            body: { error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password.' } },
          };
        }
        signedIn = true;
        return { body: operatorSession };
      },
    });
    const { user, router } = renderApp(`/servers/${SN}`);

    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent(`/servers/${SN}`)}`);
    // One 401 shows sign-in once: the page's own queries never ran.
    expect(calls.filter((c) => c.path.startsWith('/api/servers'))).toHaveLength(0);

    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Wrong username or password. Check both and try again.',
    );
    expect(screen.getByLabelText('Password')).toHaveValue('');
    expect(screen.getByLabelText('Password')).toHaveFocus();

    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/servers/${SN}`));
    expect(await screen.findByText('General information')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')[1]?.body).toEqual({
      username: 'alice',
      password: 'correct horse',
    });
  });

  it('says when the account is locked out', async () => {
    mockApi({
      'POST /api/session': () => ({
        status: 429,
        body: {
          error: {
            code: 'RATE_LIMITED',
            message: 'Too many failed sign-ins for this account. Wait 15 minutes and try again.',
          },
        },
      }),
    });
    const { user } = renderApp('/sign-in');
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'guess');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many failed sign-ins for this account. Wait 15 minutes and try again.',
    );
  });

  it('asks for both fields without calling the server', async () => {
    const { calls } = mockApi();
    const { user } = renderApp('/sign-in');
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Enter your username and your password.',
    );
    expect(screen.getByLabelText('Username')).toHaveFocus();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('never follows a next= that leaves the console', async () => {
    mockApi();
    const { user, router } = renderApp('/sign-in?next=//evil.example.com/x');
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/servers'));
  });
});
