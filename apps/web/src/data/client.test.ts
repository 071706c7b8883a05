import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi } from '../test/api.ts';
import { apiRequest, ApiError, resetSignInRedirect, setSignInHandler } from './client.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  resetSignInRedirect();
  document.cookie = 'byoi_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

const unauthenticated = () => ({
  status: 401,
  body: { error: { code: 'UNAUTHENTICATED', message: 'Sign in to use the console.' } },
});

describe('api client', () => {
  it('shows sign-in once however many calls get a 401 together, and again after a sign-in', async () => {
    mockApi({ 'GET /api/servers': unauthenticated, 'GET /api/meta': unauthenticated });
    const showSignIn = vi.fn();
    setSignInHandler(showSignIn);
    const results = await Promise.allSettled([
      apiRequest('/api/servers'),
      apiRequest('/api/meta'),
      apiRequest('/api/servers'),
    ]);
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof ApiError)).toBe(
      true,
    );
    expect(showSignIn).toHaveBeenCalledTimes(1);
    resetSignInRedirect();
    await expect(apiRequest('/api/servers')).rejects.toMatchObject({ status: 401 });
    expect(showSignIn).toHaveBeenCalledTimes(2);
  });

  it('leaves a 401 from sign-in itself to the sign-in form', async () => {
    mockApi({ 'POST /api/session': unauthenticated });
    const showSignIn = vi.fn();
    setSignInHandler(showSignIn);
    await expect(
      apiRequest('/api/session', { method: 'POST', body: {}, signInOn401: false }),
    ).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(showSignIn).not.toHaveBeenCalled();
  });

  it('echoes the byoi_csrf cookie in X-CSRF-Token on every write, never on reads', async () => {
    document.cookie = 'other=1';
    document.cookie = 'byoi_csrf=abc%2Fdef';
    const ok = () => ({ body: {} });
    const { calls } = mockApi({
      'GET /api/x': ok,
      'POST /api/x': ok,
      'PUT /api/x': ok,
      'PATCH /api/x': ok,
      'DELETE /api/x': ok,
    });
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      await apiRequest('/api/x', { method });
    }
    expect(calls.map((c) => [c.method, c.headers['X-CSRF-Token']])).toEqual([
      ['GET', undefined],
      ['POST', 'abc/def'],
      ['PUT', 'abc/def'],
      ['PATCH', 'abc/def'],
      ['DELETE', 'abc/def'],
    ]);
  });

  it('turns the error envelope into a message and field errors', async () => {
    mockApi({
      'POST /api/x': () => ({
        status: 400,
        body: {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'The install form has errors.',
            details: { fieldErrors: { imageURL: ['Bad URL.'] } },
          },
        },
      }),
      'GET /api/html': () => ({ status: 502, body: undefined }),
    });
    await expect(apiRequest('/api/x', { method: 'POST', body: {} })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The install form has errors.',
      fieldErrors: { imageURL: ['Bad URL.'] },
    });
    await expect(apiRequest('/api/html')).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      status: 502,
    });
  });
});
