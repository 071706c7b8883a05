/** The OVH API v1 subset, as handlers over the simulator's state. Paths are relative to `/1.0`. */
import { UPSTREAM_MESSAGES } from '@byoi/shared';
import type { Credential, CredentialStore } from '../auth/credentials.ts';
import { parseAccessRules } from '../auth/credentials.ts';
import { apiError, authError, badRequest, notFound } from '../http/ovhError.ts';
import { Router } from '../http/router.ts';
import type { RouteParams } from '../http/router.ts';
import type { InstallEngine } from '../install/engine.ts';
import { readInstallRequest } from '../install/submit.ts';
import type {
  InstallRoute,
  ServerRecord,
  SimulatorState,
  TaskRecord,
  TaskStatus,
} from '../state.ts';
import { DEDICATED_SERVER_LIST, TASK_LIST, listAnswer } from './lists.ts';
import * as serialize from './serialize.ts';
import { TEMPLATES, findTemplate } from './templates.ts';

export interface OvhRequest {
  params: RouteParams;
  query: URLSearchParams;
  /** A request header by name, in any case (the first value when sent more than once). */
  header: (name: string) => string | undefined;
  body: unknown;
  /** `https://host:port`, for links such as a credential's validation URL. */
  origin: string;
  applicationKey: string | undefined;
  /** Set for signed routes, after authentication. */
  credential: Credential | undefined;
}

/**
 * `none`: no headers needed (`/auth/time`); `application`: a known `X-Ovh-Application` only
 * (`POST /auth/credential`); `signed`: the full signature and access-rule check.
 */
export type AuthLevel = 'none' | 'application' | 'signed';

export interface OvhRoute {
  auth: AuthLevel;
  /** The answer's body, or an `AnswerWithHeaders` for one with response headers of its own. */
  handle(request: OvhRequest): unknown;
}

export interface OvhDeps {
  state: SimulatorState;
  engine: InstallEngine;
  credentials: CredentialStore;
}

/** `dedicated.TaskFunctionEnum`: the values the task list's `function` filter accepts. */
export const TASK_FUNCTIONS: readonly string[] = [
  'INFRA_002_VirtualNetworkInterface',
  'INFRA_002_VirtualNetworkInterface_group',
  'INFRA_002_VirtualNetworkInterface_ungroup',
  'INFRA_ONE_NETWORK_ONEAPI_VirtualNetworkInterface_group',
  'INFRA_ONE_NETWORK_ONEAPI_VirtualNetworkInterface_ungroup',
  'INFRA_ONE_NETWORK_VirtualNetworkInterface_group',
  'INFRA_ONE_NETWORK_VirtualNetworkInterface_ungroup',
  'addVirtualMac',
  'addWindowSplaFromExistingSerial',
  'applyBackupFtpAcls',
  'applyBackupFtpQuota',
  'bypassAntiDDosGame',
  'changePasswordBackupFTP',
  'changeRipeOrg',
  'checkAndReleaseIp',
  'createBackupFTP',
  'createOrUpdateRipeOrg',
  'createPrivateNetwork',
  'disableFirewall',
  'enableFirewall',
  'genericMoveFloatingIp',
  'hardReboot',
  'hardware_update',
  'ipmi/configureSGX',
  'migrateBackupFTP',
  'moveFloatingIp',
  'moveVirtualMac',
  'reagregateBlock',
  'rebootPower8To',
  'reinstallServer',
  'releaseIp',
  'removeBackupFTP',
  'removeVirtualMac',
  'requestAccessIPMI',
  'resetIPMI',
  'resetIPMISession',
  'testIPMIhttp',
  'testIPMIpassword',
  'testIPMIping',
  'virtualMacAdd',
  'virtualMacDelete',
];

const TASK_STATUSES: readonly TaskStatus[] = [
  'init',
  'todo',
  'doing',
  'done',
  'customerError',
  'ovhError',
  'cancelled',
];

/**
 * The simulator's wording for an expired service (HTTP 460, which OVH's SDKs read as "resource
 * expired"): OVH's OpenAPI file gives no body; the message is one OVH has been seen answering.
 */
export const SERVICE_EXPIRED = {
  status: 460,
  class: 'Client::ServiceExpired',
  message: 'This Service is expired',
} as const;

const invalidEnumValue = (parameter: string, value: string, accepted: readonly string[]) =>
  badRequest(
    `Invalid value for parameter ${parameter}: ${value} is not one of ${accepted.join(', ')}`,
  );

export function buildOvhRouter({ state, engine, credentials }: OvhDeps): Router<OvhRoute> {
  const server = (request: OvhRequest): ServerRecord => {
    const name = request.params.serviceName ?? '';
    const record = state.servers.get(name);
    if (!record) throw notFound('serviceName', name);
    if (record.expired) {
      throw apiError(SERVICE_EXPIRED.status, SERVICE_EXPIRED.class, SERVICE_EXPIRED.message);
    }
    return record;
  };
  const taskOf = (request: OvhRequest) => {
    const record = server(request);
    const id = request.params.taskId ?? '';
    const task = /^\d+$/.test(id) ? record.tasks.find((t) => t.taskId === Number(id)) : undefined;
    if (!task) throw notFound('taskId', id);
    return { record, task };
  };
  const install =
    (route: InstallRoute, respond: (task: TaskRecord) => unknown) => (request: OvhRequest) => {
      const record = server(request);
      state.installRequests.push({
        route,
        serviceName: record.fixture.name,
        body: structuredClone(request.body),
        receivedAt: new Date().toISOString(),
      });
      const spec = readInstallRequest(route, request.body);
      if (record.locked) {
        throw apiError(
          409,
          'Client::Conflict::DisturbAlreadyExists',
          UPSTREAM_MESSAGES.disturbAlreadyExists(record.fixture.name),
        );
      }
      const running = engine.runningTask(record);
      if (running) {
        throw badRequest(
          `Task ${running.taskId} of type ${running.function} with status ${running.status} is already running on server ${record.fixture.name}`,
          'Client::BadRequest::TaskAlreadyExists',
        );
      }
      const started = engine.start(record, spec);
      let runningNow = 0;
      for (const other of state.servers.values()) if (engine.runningTask(other)) runningNow += 1;
      state.peakRunningInstalls = Math.max(state.peakRunningInstalls, runningNow);
      return respond(started);
    };

  return new Router<OvhRoute>()
    .add('GET', '/auth/time', { auth: 'none', handle: () => Math.floor(Date.now() / 1000) })
    .add('POST', '/auth/credential', {
      auth: 'application',
      handle: (request) => {
        const body = (request.body ?? {}) as { accessRules?: unknown; redirection?: unknown };
        let rules;
        try {
          rules = parseAccessRules(body.accessRules);
        } catch (error) {
          throw badRequest((error as Error).message);
        }
        const credential = credentials.create(request.applicationKey ?? '', rules);
        return {
          consumerKey: credential.consumerKey,
          state: credential.status,
          validationUrl: `${request.origin}/_sim/credentials/${credential.consumerKey}/validate`,
        };
      },
    })
    .add('GET', '/auth/currentCredential', {
      auth: 'signed',
      handle: ({ credential }) => {
        if (!credential)
          throw authError(403, 'INVALID_CREDENTIAL', 'This credential does not exist');
        return {
          allowedIPs: null,
          applicationId: 1,
          creation: credential.creation,
          credentialId: credential.credentialId,
          expiration: null,
          lastUse: credential.lastUse,
          ovhSupport: false,
          rules: credential.rules,
          status: credential.status,
        };
      },
    })
    .add('GET', '/dedicated/server', {
      auth: 'signed',
      handle: (request) =>
        listAnswer(request, {
          schema: DEDICATED_SERVER_LIST,
          scope: '/dedicated/server',
          ids: () => [...state.servers.keys()],
          objects: () => Array.from(state.servers.values(), serialize.dedicatedServer),
        }),
    })
    .add('GET', '/dedicated/server/:serviceName', {
      auth: 'signed',
      handle: (request) => serialize.dedicatedServer(server(request)),
    })
    .add('GET', '/dedicated/server/:serviceName/specifications/hardware', {
      auth: 'signed',
      handle: (request) => serialize.hardwareSpecifications(server(request)),
    })
    .add('GET', '/dedicated/server/:serviceName/install/compatibleTemplates', {
      auth: 'signed',
      handle: (request) => {
        server(request);
        return { ovh: TEMPLATES.map((t) => t.templateName), personal: [] };
      },
    })
    .add('GET', '/dedicated/installationTemplate', {
      auth: 'signed',
      handle: () => TEMPLATES.map((t) => t.templateName),
    })
    .add('GET', '/dedicated/installationTemplate/:templateName', {
      auth: 'signed',
      handle: (request) => {
        const name = request.params.templateName ?? '';
        const template = findTemplate(name);
        if (!template) throw notFound('templateName', name);
        return template;
      },
    })
    .add('POST', '/dedicated/server/:serviceName/install/start', {
      auth: 'signed',
      handle: install('install-start', serialize.task),
    })
    .add('POST', '/dedicated/server/:serviceName/reinstall', {
      auth: 'signed',
      handle: install('reinstall', serialize.taskResponse),
    })
    .add('GET', '/dedicated/server/:serviceName/install/status', {
      auth: 'signed',
      handle: (request) => {
        const status = serialize.installationStatus(server(request));
        if (!status) {
          throw apiError(
            404,
            'Client::NotFound',
            'Server is not being installed or reinstalled at the moment',
          );
        }
        return status;
      },
    })
    .add('GET', '/dedicated/server/:serviceName/task', {
      auth: 'signed',
      handle: (request) => {
        const fn = request.query.get('function');
        const status = request.query.get('status');
        if (fn !== null && !TASK_FUNCTIONS.includes(fn)) {
          throw invalidEnumValue('function', fn, TASK_FUNCTIONS);
        }
        if (status !== null && !(TASK_STATUSES as readonly string[]).includes(status)) {
          throw invalidEnumValue('status', status, TASK_STATUSES);
        }
        const record = server(request);
        // The query's filters hold before any page is cut.
        const tasks = record.tasks.filter(
          (t) => (fn === null || t.function === fn) && (status === null || t.status === status),
        );
        return listAnswer(request, {
          schema: TASK_LIST,
          scope: `/dedicated/server/${record.fixture.name}/task?${request.query.toString()}`,
          ids: () => tasks.map((t) => t.taskId),
          objects: () => tasks.map(serialize.task),
        });
      },
    })
    .add('GET', '/dedicated/server/:serviceName/task/:taskId', {
      auth: 'signed',
      handle: (request) => serialize.task(taskOf(request).task),
    })
    .add('POST', '/dedicated/server/:serviceName/task/:taskId/cancel', {
      auth: 'signed',
      handle: (request) => {
        const { record, task } = taskOf(request);
        if (!engine.cancel(record, task)) {
          throw badRequest(
            `Task ${task.taskId} cannot be cancelled: its status is already ${task.status}`,
          );
        }
        return null;
      },
    });
}
