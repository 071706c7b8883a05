/** Simulator records → OVH objects, shaped as OVH's OpenAPI describes them. */
import { createHash } from 'node:crypto';
import type { ServerRecord, TaskRecord } from '../state.ts';

/** Server names are fixed at start: each IAM id is hashed once, not once per listed server. */
const iamIds = new Map<string, string>();

/** A stable UUID-shaped id derived from the server name (the IAM id never changes for a server). */
function iamId(name: string): string {
  let id = iamIds.get(name);
  if (id === undefined) {
    id = uuidOf(name);
    iamIds.set(name, id);
  }
  return id;
}

function uuidOf(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

type DedicatedServerObject = ReturnType<typeof buildDedicatedServer>;

/**
 * The object last built for a record, with the record's changing fields it was built from: a list
 * page reads every server, and rebuilding 1,000 objects per page was most of a page's allocations.
 */
const built = new WeakMap<
  ServerRecord,
  { os: string; state: string; efiBootloaderPath: string | null; object: DedicatedServerObject }
>();

/** `dedicated.server.DedicatedWithIAM`; the same object while the record's fields are the same. */
export function dedicatedServer(server: ServerRecord): DedicatedServerObject {
  const last = built.get(server);
  if (
    last?.os === server.os &&
    last.state === server.state &&
    last.efiBootloaderPath === server.efiBootloaderPath
  ) {
    return last.object;
  }
  const object = buildDedicatedServer(server);
  built.set(server, {
    os: server.os,
    state: server.state,
    efiBootloaderPath: server.efiBootloaderPath,
    object,
  });
  return object;
}

/** Reads the fixture (fixed) and `os`, `state`, `efiBootloaderPath` (the record's changing fields). */
function buildDedicatedServer(server: ServerRecord) {
  const f = server.fixture;
  return {
    availabilityZone: f.availabilityZone,
    bootId: 1,
    bootScript: null,
    commercialRange: f.commercialRange,
    datacenter: f.datacenter,
    efiBootloaderPath: server.efiBootloaderPath,
    iam: {
      displayName: f.displayName,
      id: iamId(f.name),
      tags: null,
      urn: `urn:v1:eu:resource:dedicatedServer:${f.name}`,
    },
    ip: f.ip,
    linkSpeed: f.linkSpeed,
    monitoring: true,
    name: f.name,
    newUpgradeSystem: true,
    noIntervention: false,
    os: server.os,
    powerState: f.powerState,
    professionalUse: false,
    rack: f.rack,
    region: f.region,
    rescueMail: null,
    rescueSshKey: null,
    reverse: f.reverse,
    rootDevice: null,
    serverId: f.serverId,
    state: server.state,
    supportLevel: f.supportLevel,
  };
}

/** `dedicated.server.HardwareSpecifications`. */
export function hardwareSpecifications(server: ServerRecord) {
  const h = server.fixture.hardware;
  return {
    bootMode: h.bootMode,
    coresPerProcessor: h.coresPerProcessor,
    defaultHardwareRaidSize: null,
    defaultHardwareRaidType: null,
    description: h.description,
    diskGroups: h.diskGroups.map((group) => ({
      defaultHardwareRaidSize: null,
      defaultHardwareRaidType: null,
      description: group.description,
      diskGroupId: group.diskGroupId,
      diskSize: { ...group.diskSize },
      diskType: group.diskType,
      numberOfDisks: group.numberOfDisks,
      raidController: group.raidController,
    })),
    expansionCards: null,
    formFactor: h.formFactor,
    memorySize: { ...h.memorySize },
    motherboard: h.motherboard,
    numberOfProcessors: h.numberOfProcessors,
    processorArchitecture: 'x86_64',
    processorName: h.processorName,
    threadsPerProcessor: h.threadsPerProcessor,
    usbKeys: null,
  };
}

/** `dedicated.server.Task`. */
export function task(record: TaskRecord) {
  return {
    comment: record.comment,
    doneDate: record.doneDate,
    function: record.function,
    lastUpdate: record.lastUpdate,
    needSchedule: false,
    note: null,
    plannedInterventionId: null,
    startDate: record.startDate,
    status: record.status,
    tags: null,
    taskId: record.taskId,
    ticketReference: null,
  };
}

/** `dedicated.server.task.Response`: what `POST …/reinstall` answers. */
export function taskResponse(record: TaskRecord) {
  return {
    comment: record.comment,
    doneDate: record.doneDate,
    function: record.function,
    startDate: record.startDate,
    status: record.status,
    taskId: record.taskId,
  };
}

/** `dedicated.server.InstallationProgressStatus`. */
export function installationStatus(server: ServerRecord) {
  const run = server.install;
  if (!run) return null;
  const end = run.endedAt ?? Date.now();
  return {
    elapsedTime: Math.floor((end - run.startedAt) / 1000),
    progress: run.steps.map((step) => ({
      comment: step.comment,
      error: step.error,
      status: step.status,
    })),
  };
}
