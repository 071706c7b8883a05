/**
 * Installing a server from the operator's image: submit (validated with the shared form schema,
 * refused while another install runs: the store's per-server lock, then OVH's own answer), follow
 * progress, cancel. Every install OVH accepted gets its record in the store (the history, and the
 * watch's list until its outcome is in the audit log); every progress read tells what it saw.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import {
  byoiFormSchemaFor,
  type InstallProgressDto,
  type InstallResponse,
  type InstallRoute,
} from '@byoi/shared';
import { parseJsonRequest } from '../jsonRequest.ts';
import { auditEntryId } from '../audit/auditTrail.ts';
import type { InstallOutcomes } from '../install/installOutcomes.ts';
import type { InstallTracker } from '../install/installTracker.ts';
import type { KnownInstalls } from '../install/knownInstalls.ts';
import {
  cancelRunningInstall,
  submitInstall,
  validationMessage,
} from '../install/submitInstall.ts';
import type { Logger } from '../logger.ts';
import { sessionUser } from '../middleware/session.ts';
import { followInstall, toTaskDto } from '../install/progress.ts';
import type { OvhApi } from '../ovh/api.ts';
import { requireServer } from '../servers/requireServer.ts';
import type { InstallLocks } from '../store/installLocks.ts';
import type { InstallRecords } from '../store/installRecords.ts';
import { withLibraryImage } from './libraryImageRef.ts';

export interface InstallDeps {
  ovh: OvhApi;
  tracker: InstallTracker;
  known: KnownInstalls;
  records: InstallRecords;
  locks: InstallLocks;
  installRoute: InstallRoute;
  /** Records each install's outcome in its record and the audit log. */
  outcomes: InstallOutcomes;
  logger: Pick<Logger, 'error'>;
  now?: () => number;
}

function parseForm(req: Request, route: InstallRoute) {
  return parseJsonRequest(req, byoiFormSchemaFor(route), 'install form', validationMessage);
}

export function installRouter({
  ovh,
  tracker,
  known,
  records,
  locks,
  installRoute,
  outcomes,
  logger,
  now = Date.now,
}: InstallDeps): Router {
  const router = Router();
  const watch = { ovh, tracker, known, records, outcomes };

  router.post('/:sn/install', async (req, res) => {
    const sn = req.params.sn;
    // A form filled from the image library gets the version's stored headers (its origin only).
    const form = await withLibraryImage(req, parseForm(req, installRoute));
    const user = sessionUser(req);
    const started = await submitInstall(
      { ovh, tracker, records, locks, outcomes, logger, now },
      {
        server: sn,
        route: installRoute,
        form,
        id: auditEntryId(req) ?? randomUUID(),
        user: user ? { username: user.username, role: user.role } : null,
      },
    );
    const body: InstallResponse = { route: installRoute, task: toTaskDto(started) };
    res.status(202).json(body);
  });

  router.get('/:sn/install', async (req, res) => {
    const sn = req.params.sn;
    await requireServer(ovh, sn);
    const body: InstallProgressDto = await followInstall(watch, sn);
    res.json(body);
  });

  router.post('/:sn/install/cancel', async (req, res) => {
    const sn = req.params.sn;
    await requireServer(ovh, sn);
    res.json(await cancelRunningInstall({ ovh, tracker, outcomes }, sn));
  });

  return router;
}
