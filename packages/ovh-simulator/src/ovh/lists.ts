/**
 * The list routes OVH also answers as expanded pages (`x-expanded-response` in its OpenAPI file):
 * which fields of their objects can be sorted and filtered on, and the answer either way.
 */
import { AnswerWithHeaders } from '../http/answer.ts';
import { paginate, readPageRequest } from './pagination.ts';
import type { ListSchema } from './pagination.ts';
import type { OvhRequest } from './routes.ts';

/**
 * `dedicated.server.DedicatedWithIAM`'s scalar fields. `iam.tags` (a map) is left out: there is
 * no order of maps, and OVH filters tags with the `iamTags` query parameter instead.
 */
export const DEDICATED_SERVER_LIST: ListSchema = {
  type: 'dedicated.server.DedicatedWithIAM',
  key: 'name',
  fields: {
    availabilityZone: 'string',
    bootId: 'number',
    bootScript: 'string',
    commercialRange: 'string',
    datacenter: 'string',
    efiBootloaderPath: 'string',
    'iam.displayName': 'string',
    'iam.id': 'string',
    'iam.urn': 'string',
    ip: 'string',
    linkSpeed: 'number',
    monitoring: 'boolean',
    name: 'string',
    newUpgradeSystem: 'boolean',
    noIntervention: 'boolean',
    os: 'string',
    powerState: 'string',
    professionalUse: 'boolean',
    rack: 'string',
    region: 'string',
    rescueMail: 'string',
    rescueSshKey: 'string',
    reverse: 'string',
    rootDevice: 'string',
    serverId: 'number',
    state: 'string',
    supportLevel: 'string',
  },
};

/** `dedicated.server.Task`'s scalar fields (`tags`, a list, is left out). */
export const TASK_LIST: ListSchema = {
  type: 'dedicated.server.Task',
  key: 'taskId',
  fields: {
    comment: 'string',
    doneDate: 'string',
    function: 'string',
    lastUpdate: 'string',
    needSchedule: 'boolean',
    note: 'string',
    plannedInterventionId: 'number',
    startDate: 'string',
    status: 'string',
    taskId: 'number',
    ticketReference: 'string',
  },
};

export interface ListSource<T> {
  schema: ListSchema;
  /** The list's identity for cursors: route, path parameters and query. */
  scope: string;
  /** What the route answers without `X-Pagination-Mode`. */
  ids(): unknown[];
  /** Every object of the list, serialised; only built when a page is asked for. */
  objects(): readonly T[];
}

/** The ids as always, or, asked with `X-Pagination-Mode`, one page of objects and its headers. */
export function listAnswer<T>(request: OvhRequest, source: ListSource<T>): unknown {
  const page = readPageRequest(request.header, source.schema, source.scope);
  if (!page) return source.ids();
  const { items, headers } = paginate(source.objects(), page, source.schema);
  return new AnswerWithHeaders(items, headers);
}
