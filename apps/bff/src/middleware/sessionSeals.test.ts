import * as iron from 'iron-session';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../testing/harness.ts';
import { browserAgent, OPERATOR, signIn } from '../testing/users.ts';

// Counts real unseals; the sealing and the checks stay iron-session's own.
vi.mock('iron-session', async (importOriginal) => {
  const actual = await importOriginal<typeof iron>();
  return { ...actual, unsealData: vi.fn(actual.unsealData) };
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('opened session seals', () => {
  it('opens a session cookie once, not on every request', async () => {
    const { app } = await h.buildApp();
    const agent = await signIn(app, OPERATOR);
    const unseal = vi.mocked(iron.unsealData);
    unseal.mockClear();
    for (let i = 0; i < 5; i++) await agent.get('/api/session').expect(200);
    expect(unseal).toHaveBeenCalledTimes(1);
  });

  it('still refuses a tampered cookie, every time', async () => {
    const { app } = await h.buildApp();
    for (let i = 0; i < 2; i++) {
      await browserAgent(app)
        .get('/api/session')
        .set('Cookie', 'byoi_session=Fe26.2*1*tampered*seal')
        .expect(401);
    }
  });
});
