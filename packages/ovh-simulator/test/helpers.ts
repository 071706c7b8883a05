/** Shared test plumbing: a simulator per file, the real node-ovh client, raw signed calls. */
import https from 'node:https';
import tls from 'node:tls';
import ovh from '@ovhcloud/node-ovh';
import type { OvhRejection } from '@ovhcloud/node-ovh';
import { signRequest } from '../src/auth/signature.ts';
import type { Simulator, SimulatorOptions } from '../src/index.ts';
import { startSimulator } from '../src/index.ts';
import { createOpenApiChecker } from './openapi.ts';
import type { OpenApiChecker } from './openapi.ts';

export type OvhClient = ReturnType<typeof ovh>;

/**
 * node-ovh passes no `ca` to https.request, so the global agent must trust the simulator's
 * certificate (what the BFF does too). Returns the function that restores the previous trust.
 */
export function trustSimulator(sim: Simulator): () => void {
  const previous = https.globalAgent.options.ca;
  https.globalAgent.options.ca = [...tls.rootCertificates, sim.ca];
  return () => {
    https.globalAgent.options.ca = previous;
  };
}

let checker: OpenApiChecker | undefined;

/**
 * A simulator the global agent trusts, whose every OVH API answer is checked against OVH's
 * OpenAPI file: `close()` fails with the list of answers that do not conform.
 */
export async function startTrusted(options: SimulatorOptions = {}) {
  checker ??= createOpenApiChecker();
  const openApi = checker;
  const problems: string[] = [];
  let checked = 0;
  const sim = await startSimulator({
    ...options,
    onResponse(exchange) {
      checked += 1;
      try {
        problems.push(...openApi.check(exchange));
      } catch (error) {
        problems.push(`${exchange.method} ${exchange.path}: the checker failed: ${String(error)}`);
      }
      options.onResponse?.(exchange);
    },
  });
  const untrust = trustSimulator(sim);
  return {
    sim,
    /** How many OVH API answers were checked so far. */
    checked: () => checked,
    close: async () => {
      untrust();
      await sim.close();
      if (problems.length > 0) {
        throw new Error(
          `${problems.length} simulator answers do not match OVH's OpenAPI file:\n${problems.join('\n')}`,
        );
      }
    },
  };
}

export function client(
  sim: Simulator,
  overrides: { appSecret?: string; consumerKey?: string; appKey?: string } = {},
): OvhClient {
  return ovh({
    appKey: overrides.appKey ?? sim.applicationKey,
    appSecret: overrides.appSecret ?? sim.applicationSecret,
    consumerKey: overrides.consumerKey ?? sim.consumerKey,
    host: '127.0.0.1',
    port: sim.port,
    basePath: '/1.0',
  });
}

/** The rejection of a node-ovh call that must fail. */
export async function rejection(promise: Promise<unknown>): Promise<OvhRejection> {
  try {
    await promise;
  } catch (error) {
    return error as OvhRejection;
  }
  throw new Error('expected the OVH call to fail, it succeeded');
}

export interface RawResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** A signed call that returns the whole response (node-ovh keeps only `message` of errors). */
export function rawCall(
  sim: Simulator,
  method: string,
  path: string,
  options: {
    body?: unknown;
    /** Sent (and signed) as is, instead of `body` as JSON. */
    rawBody?: string;
    sign?: boolean;
    headers?: Record<string, string>;
    timestamp?: number;
    /** Sign as if the call were to this path (to prove the signature covers it). */
    signedPath?: string;
    signedBody?: string;
  } = {},
): Promise<RawResponse> {
  const fullPath = `/1.0${path}`;
  const body = options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body));
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Ovh-Application': sim.applicationKey,
    ...(options.sign === false
      ? {}
      : {
          'X-Ovh-Timestamp': timestamp,
          'X-Ovh-Consumer': sim.consumerKey,
          'X-Ovh-Signature': signRequest({
            applicationSecret: sim.applicationSecret,
            consumerKey: sim.consumerKey,
            method,
            url: `https://127.0.0.1/1.0${options.signedPath ?? path}`,
            body: options.signedBody ?? body,
            timestamp,
          }),
        }),
    ...options.headers,
  };
  return request(sim, method, fullPath, headers, body);
}

/** An unsigned call anywhere on the simulator's port (admin API, unknown paths). */
export function plainCall(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return request(sim, method, path, { 'Content-Type': 'application/json' }, text);
}

function request(
  sim: Simulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: sim.port, method, path, headers, ca: sim.ca },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? undefined : JSON.parse(text),
            headers: res.headers,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface TaskBody {
  taskId: number;
  status: string;
  comment: string | null;
  function: string;
}

const FINISHED = new Set(['done', 'customerError', 'ovhError', 'cancelled']);

/** Polls the task until it ends (through node-ovh, as the BFF would). */
export async function waitForTask(
  c: OvhClient,
  serviceName: string,
  taskId: number,
  timeoutMs = 30_000,
): Promise<TaskBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = (await c.requestPromised(
      'GET',
      `/dedicated/server/${serviceName}/task/${taskId}`,
    )) as TaskBody;
    if (FINISHED.has(task.status)) return task;
    if (Date.now() > deadline)
      throw new Error(`task ${taskId} still ${task.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The BYOI fields as OVH reads them, unchecked: tests send what the form would refuse too. */
export interface ByoiFields {
  imageURL: string;
  imageType: string;
  imageCheckSum?: string;
  imageCheckSumType?: string;
  httpHeaders?: Record<string, string>;
  configDriveUserData?: string;
  configDriveMetadata?: Record<string, string>;
  /** `customizations.hostname` (reinstall) or `details.customHostname` (install/start). */
  hostname?: string;
  sshKey?: string;
  /** Defaults to `\efi\debian\grubx64.efi` on the reinstall route, which requires it. */
  efiBootloaderPath?: string;
}

export type Route = 'install-start' | 'reinstall';
export const ROUTES: readonly Route[] = ['install-start', 'reinstall'];

/** The request body for either upstream route (DESIGN.md "Upstream routes"), path relative to the server. */
export function installRequest(
  route: Route,
  fields: ByoiFields,
): { path: string; body: Record<string, unknown> } {
  const headers = Object.entries(fields.httpHeaders ?? {});
  if (route === 'reinstall') {
    const customizations: Record<string, unknown> = {
      imageURL: fields.imageURL,
      imageType: fields.imageType,
      efiBootloaderPath: fields.efiBootloaderPath ?? '\\efi\\debian\\grubx64.efi',
    };
    if (fields.imageCheckSum !== undefined) customizations.imageCheckSum = fields.imageCheckSum;
    if (fields.imageCheckSumType !== undefined)
      customizations.imageCheckSumType = fields.imageCheckSumType;
    if (headers.length > 0) customizations.httpHeaders = Object.fromEntries(headers);
    if (fields.configDriveUserData !== undefined)
      customizations.configDriveUserData = fields.configDriveUserData;
    if (fields.configDriveMetadata !== undefined)
      customizations.configDriveMetadata = fields.configDriveMetadata;
    if (fields.hostname !== undefined) customizations.hostname = fields.hostname;
    if (fields.sshKey !== undefined) customizations.sshKey = fields.sshKey;
    return { path: '/reinstall', body: { operatingSystem: 'byoi_64', customizations } };
  }
  const userMetadata: Array<{ key: string; value: string }> = [
    { key: 'imageURL', value: fields.imageURL },
    { key: 'imageType', value: fields.imageType },
  ];
  headers.forEach(([name, value], i) => {
    userMetadata.push({ key: `httpHeaders${i}Key`, value: name });
    userMetadata.push({ key: `httpHeaders${i}Value`, value });
  });
  for (const key of ['imageCheckSum', 'imageCheckSumType', 'configDriveUserData'] as const) {
    const value = fields[key];
    if (value !== undefined) userMetadata.push({ key, value });
  }
  Object.entries(fields.configDriveMetadata ?? {}).forEach(([key, value], i) => {
    userMetadata.push({ key: `configDriveMetadata${i}Key`, value: key });
    userMetadata.push({ key: `configDriveMetadata${i}Value`, value });
  });
  if (fields.sshKey !== undefined) userMetadata.push({ key: 'sshKey', value: fields.sshKey });
  if (fields.efiBootloaderPath !== undefined)
    userMetadata.push({ key: 'efiBootloaderPath', value: fields.efiBootloaderPath });
  return {
    path: '/install/start',
    body: {
      ...(fields.hostname === undefined ? {} : { details: { customHostname: fields.hostname } }),
      templateName: 'byoi_64',
      userMetadata,
    },
  };
}

export interface StepBody {
  comment: string;
  status: string;
  error: string | null;
}

export interface InstallOutcome {
  task: TaskBody;
  steps: StepBody[];
}

/** Submits a BYOI install through node-ovh and waits for its task to end. */
export async function install(
  c: OvhClient,
  serviceName: string,
  fields: ByoiFields,
  route: Route = 'install-start',
): Promise<InstallOutcome> {
  const request = installRequest(route, fields);
  const base = `/dedicated/server/${serviceName}`;
  const started = (await c.requestPromised('POST', `${base}${request.path}`, request.body)) as {
    taskId: number;
  };
  const task = await waitForTask(c, serviceName, started.taskId);
  const status = (await c.requestPromised('GET', `${base}/install/status`)) as {
    progress: StepBody[];
  };
  return { task, steps: status.progress };
}
