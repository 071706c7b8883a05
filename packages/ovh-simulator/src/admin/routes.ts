/** `/_sim/*`: the admin object over HTTP (JSON, no OVH auth, loopback clients only). */
import type { ServerState } from '../fixtures.ts';
import { Router } from '../http/router.ts';
import type { RouteParams } from '../http/router.ts';
import type { SimulatorAdmin } from './admin.ts';

export interface AdminRequest {
  params: RouteParams;
  body: unknown;
}

export type AdminHandler = (request: AdminRequest) => { status?: number; body: unknown };

const ok = (body: unknown = { ok: true }) => ({ body });

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

export function buildAdminRouter(admin: SimulatorAdmin): Router<AdminHandler> {
  const validate: AdminHandler = ({ params }) => {
    admin.validateCredential(params.consumerKey ?? '');
    return ok({ consumerKey: params.consumerKey, state: 'validated' });
  };
  return (
    new Router<AdminHandler>()
      .add('POST', '/_sim/reset', () => {
        admin.reset();
        return ok();
      })
      .add('GET', '/_sim/requests', () =>
        ok({
          installs: admin.requests(),
          calls: admin.calls(),
          peakRunningInstalls: admin.peakRunningInstalls(),
        }),
      )
      .add('GET', '/_sim/calls', () => ok(admin.calls()))
      .add('GET', '/_sim/faults', () => ok(admin.faults()))
      .add('POST', '/_sim/faults', ({ body }) => ({
        status: 201,
        body: admin.injectFault(body as never),
      }))
      .add('DELETE', '/_sim/faults', () => {
        admin.clearFaults();
        return ok();
      })
      .add('POST', '/_sim/servers', ({ body }) => ({
        status: 201,
        body: admin.addServer({
          name: field(body, 'name') as string,
          displayName: field(body, 'displayName') as string,
          like: field(body, 'like') as string,
        }),
      }))
      .add('GET', '/_sim/servers/:serviceName', ({ params }) =>
        ok(admin.server(params.serviceName ?? '')),
      )
      .add('POST', '/_sim/servers/:serviceName/state', ({ params, body }) => {
        admin.setServerState(params.serviceName ?? '', field(body, 'state') as ServerState);
        return ok();
      })
      .add('POST', '/_sim/servers/:serviceName/lock', ({ params, body }) => {
        admin.setServerLocked(params.serviceName ?? '', field(body, 'locked') as boolean);
        return ok();
      })
      .add('POST', '/_sim/servers/:serviceName/expiration', ({ params, body }) => {
        admin.setServiceExpired(params.serviceName ?? '', field(body, 'expired') as boolean);
        return ok();
      })
      .add('POST', '/_sim/clock', ({ body }) => {
        admin.setClockSpeed(field(body, 'clockSpeed') as number);
        return ok();
      })
      .add('POST', '/_sim/credentials', ({ body }) => ({
        status: 201,
        body: admin.createCredential(field(body, 'accessRules') as never, {
          validated: field(body, 'validated') === true,
        }),
      }))
      // GET too, so the validationUrl of POST /auth/credential works when opened in a browser.
      .add('GET', '/_sim/credentials/:consumerKey/validate', validate)
      .add('POST', '/_sim/credentials/:consumerKey/validate', validate)
      .add('POST', '/_sim/credentials/:consumerKey/revoke', ({ params }) => {
        admin.revokeCredential(params.consumerKey ?? '');
        return ok({ consumerKey: params.consumerKey, state: 'expired' });
      })
  );
}
