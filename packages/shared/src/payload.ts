/**
 * OVH request bodies for a BYOI install, built from a valid form, and read back into a form (the
 * simulator's view of what it received). Shapes: the seed's `install/start` example, and
 * `dedicated.server.Reinstall` in OVH's OpenAPI description.
 */
import type { z } from 'zod';
import {
  byoiFormSchemaFor,
  fieldErrorsOf,
  type ByoiForm,
  type ByoiFormInput,
  type InstallRoute,
} from './form.ts';
import { decodeUserData, encodeUserData } from './userData.ts';

export const BYOI_TEMPLATE = 'byoi_64';

export interface UserMetadataEntry {
  key: string;
  value: string;
}

/** `POST /dedicated/server/{sn}/install/start`. */
export interface InstallStartPayload {
  details?: { customHostname: string };
  templateName: typeof BYOI_TEMPLATE;
  userMetadata: UserMetadataEntry[];
}

/**
 * `dedicated.server.reinstall.Customizations`, the BYOI subset. `configDriveMetadata` is newer than
 * OVH's OpenAPI snapshot; OVH writes it under `meta` in the config drive's `meta_data.json`.
 */
export interface ReinstallCustomizations {
  hostname?: string;
  imageURL: string;
  imageType: ByoiForm['imageType'];
  sshKey?: string;
  efiBootloaderPath?: string;
  imageCheckSum?: string;
  httpHeaders?: Record<string, string>;
  imageCheckSumType?: NonNullable<ByoiForm['imageCheckSumType']>;
  /** base64 */
  configDriveUserData?: string;
  configDriveMetadata?: Record<string, string>;
}

/**
 * `POST /dedicated/server/{sn}/reinstall` (`dedicated.server.Reinstall`). Its top-level
 * `properties` is deprecated and reaches nothing, so it is never sent.
 */
export interface ReinstallPayload {
  operatingSystem: typeof BYOI_TEMPLATE;
  customizations: ReinstallCustomizations;
}

export type InstallRequest =
  | { path: '/install/start'; body: InstallStartPayload }
  | { path: '/reinstall'; body: ReinstallPayload };

/** A builder was given something that is not a valid form: no payload is ever built from it. */
export class PayloadError extends Error {
  readonly issues: z.core.$ZodIssue[];
  readonly fieldErrors: Record<string, string[]>;

  constructor(
    message: string,
    issues: z.core.$ZodIssue[] = [],
    fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'PayloadError';
    this.issues = issues;
    this.fieldErrors = fieldErrors;
  }
}

/** Re-validates, so a hand-made or stale object can never slip into an OVH request. */
function validated(route: InstallRoute, form: unknown): ByoiForm {
  const result = byoiFormSchemaFor(route).safeParse(form);
  if (result.success) return result.data;
  const fieldErrors = fieldErrorsOf(result.error);
  const summary = Object.entries(fieldErrors)
    .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
    .join('; ');
  throw new PayloadError(
    `The install form is not valid for the ${route} route, so no OVH request was built. ${summary}`,
    result.error.issues,
    fieldErrors,
  );
}

/**
 * Order follows the seed's example: imageURL, imageType, headers, checksum, user data; then the
 * fields the seed does not show, in form order: config drive metadata, sshKey, efiBootloaderPath.
 */
export function buildInstallStartPayload(form: ByoiForm): InstallStartPayload {
  const valid = validated('install-start', form);
  const userMetadata: UserMetadataEntry[] = [];
  const add = (key: string, value: string | undefined) => {
    if (value !== undefined) userMetadata.push({ key, value });
  };
  add('imageURL', valid.imageURL);
  add('imageType', valid.imageType);
  valid.httpHeaders.forEach((header, i) => {
    add(`httpHeaders${i}Key`, header.name);
    add(`httpHeaders${i}Value`, header.value);
  });
  add('imageCheckSum', valid.imageCheckSum);
  add('imageCheckSumType', valid.imageCheckSumType);
  add(
    'configDriveUserData',
    valid.configDriveUserData === undefined ? undefined : encodeUserData(valid.configDriveUserData),
  );
  valid.configDriveMetadata.forEach((entry, i) => {
    add(`configDriveMetadata${i}Key`, entry.key);
    add(`configDriveMetadata${i}Value`, entry.value);
  });
  add('sshKey', valid.sshKey);
  add('efiBootloaderPath', valid.efiBootloaderPath);

  return {
    ...(valid.customHostname === undefined
      ? {}
      : { details: { customHostname: valid.customHostname } }),
    templateName: BYOI_TEMPLATE,
    userMetadata,
  };
}

function pairsToRecord<T>(
  rows: readonly T[],
  key: (row: T) => string,
  value: (row: T) => string,
): Record<string, string> | undefined {
  if (rows.length === 0) return undefined;
  return Object.fromEntries(rows.map((row) => [key(row), value(row)]));
}

/** Drops absent properties, so OVH never receives a key with an empty or undefined value. */
function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/**
 * Keys in the order of the example in OVH's current BYOI guide, so that a form holding that
 * example's values yields that example byte for byte; `configDriveMetadata`, absent there, last.
 */
export function buildReinstallPayload(form: ByoiForm): ReinstallPayload {
  const valid = validated('reinstall', form);
  const customizations = defined<ReinstallCustomizations>({
    hostname: valid.customHostname,
    imageURL: valid.imageURL,
    imageType: valid.imageType,
    sshKey: valid.sshKey,
    efiBootloaderPath: valid.efiBootloaderPath,
    imageCheckSum: valid.imageCheckSum,
    httpHeaders: pairsToRecord(
      valid.httpHeaders,
      (h) => h.name,
      (h) => h.value,
    ),
    imageCheckSumType: valid.imageCheckSumType,
    configDriveUserData:
      valid.configDriveUserData === undefined
        ? undefined
        : encodeUserData(valid.configDriveUserData),
    configDriveMetadata: pairsToRecord(
      valid.configDriveMetadata,
      (m) => m.key,
      (m) => m.value,
    ),
  });
  return { operatingSystem: BYOI_TEMPLATE, customizations };
}

/** The request for the configured route; `path` is relative to `/dedicated/server/{sn}`. */
export function buildInstallPayload(route: InstallRoute, form: ByoiForm): InstallRequest {
  return route === 'reinstall'
    ? { path: '/reinstall', body: buildReinstallPayload(form) }
    : { path: '/install/start', body: buildInstallStartPayload(form) };
}

export const MASK = '••••••';

const HEADER_VALUE_KEY = /^httpHeaders\d+Value$/;

function maskBody(body: InstallStartPayload | ReinstallPayload): void {
  if ('userMetadata' in body) {
    for (const entry of body.userMetadata) {
      if (HEADER_VALUE_KEY.test(entry.key)) entry.value = MASK;
    }
    return;
  }
  const headers = body.customizations.httpHeaders;
  if (headers) for (const name of Object.keys(headers)) headers[name] = MASK;
}

/**
 * A deep copy safe to show on screen: HTTP header values (credentials, typically) are masked.
 * Accepts a body or a whole `InstallRequest`.
 */
export function maskPayloadSecrets<
  T extends InstallStartPayload | ReinstallPayload | InstallRequest,
>(payload: T): T {
  const copy: InstallStartPayload | ReinstallPayload | InstallRequest = structuredClone(payload);
  maskBody('path' in copy ? copy.body : copy);
  return copy as T;
}

// ---- payload → form (what the simulator received) ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const INDEXED_KEY = /^(httpHeaders|configDriveMetadata)(\d+)(Key|Value)$/;

/** `[{name|key, value}]` in index order from flattened `xxx0Key`/`xxx0Value` entries. */
function collectPairs(
  entries: Map<string, string>,
  prefix: 'httpHeaders' | 'configDriveMetadata',
): { key: string; value: string }[] {
  const byIndex = new Map<number, { key: string; value: string }>();
  for (const [key, value] of entries) {
    const match = INDEXED_KEY.exec(key);
    if (!match || match[1] !== prefix) continue;
    const index = Number(match[2]);
    const pair = byIndex.get(index) ?? { key: '', value: '' };
    if (match[3] === 'Key') pair.key = value;
    else pair.value = value;
    byIndex.set(index, pair);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, pair]) => pair);
}

/**
 * The form an `install/start` body describes. Not validated: the caller decides how to refuse it
 * (the simulator answers with OVH's own messages). Throws PayloadError when the body's shape is
 * not that of an `install/start` request at all.
 */
export function formFromInstallStartPayload(body: unknown): ByoiFormInput {
  if (!isRecord(body) || !Array.isArray(body.userMetadata)) {
    throw new PayloadError(
      'The install/start body must be an object with a userMetadata list of {key, value} entries.',
    );
  }
  const entries = new Map<string, string>();
  for (const entry of body.userMetadata as unknown[]) {
    if (!isRecord(entry) || typeof entry.key !== 'string' || typeof entry.value !== 'string') {
      throw new PayloadError(
        'Every userMetadata entry must be an object {key, value} whose key and value are strings.',
      );
    }
    entries.set(entry.key, entry.value);
  }
  const details = isRecord(body.details) ? body.details : {};
  const userData = entries.get('configDriveUserData');
  return defined<ByoiFormInput>({
    imageURL: entries.get('imageURL') ?? '',
    imageType: entries.get('imageType') ?? '',
    imageCheckSum: entries.get('imageCheckSum'),
    imageCheckSumType: entries.get('imageCheckSumType'),
    httpHeaders: collectPairs(entries, 'httpHeaders').map(({ key, value }) => ({
      name: key,
      value,
    })),
    configDriveUserData: userData === undefined ? undefined : decodeUserData(userData),
    configDriveMetadata: collectPairs(entries, 'configDriveMetadata'),
    customHostname: stringOrUndefined(details.customHostname),
    sshKey: entries.get('sshKey'),
    efiBootloaderPath: entries.get('efiBootloaderPath'),
  });
}

function stringRecordPairs(value: unknown): { key: string; value: string }[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : '' }));
}

/**
 * The form a `reinstall` body describes; same contract as `formFromInstallStartPayload`. The
 * deprecated top-level `properties` is not read: OVH ignores it.
 */
export function formFromReinstallPayload(body: unknown): ByoiFormInput {
  if (!isRecord(body) || !isRecord(body.customizations)) {
    throw new PayloadError(
      'The reinstall body must be an object with operatingSystem and a customizations object.',
    );
  }
  const c = body.customizations;
  const userData = stringOrUndefined(c.configDriveUserData);
  return defined<ByoiFormInput>({
    imageURL: stringOrUndefined(c.imageURL) ?? '',
    imageType: stringOrUndefined(c.imageType) ?? '',
    imageCheckSum: stringOrUndefined(c.imageCheckSum),
    imageCheckSumType: stringOrUndefined(c.imageCheckSumType),
    httpHeaders: stringRecordPairs(c.httpHeaders).map(({ key, value }) => ({ name: key, value })),
    configDriveUserData: userData === undefined ? undefined : decodeUserData(userData),
    configDriveMetadata: stringRecordPairs(c.configDriveMetadata),
    customHostname: stringOrUndefined(c.hostname),
    sshKey: stringOrUndefined(c.sshKey),
    efiBootloaderPath: stringOrUndefined(c.efiBootloaderPath),
  });
}
