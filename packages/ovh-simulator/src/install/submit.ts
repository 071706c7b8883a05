/**
 * What OVH checks when an install is submitted, before any task exists (HTTP 400/404), and the
 * `InstallSpec` the engine then runs. Only OVH's own submit-time rules live here; everything
 * about the image itself is found out later, by the install, as on the real platform.
 */
import {
  PayloadError,
  UPSTREAM_MESSAGES,
  USER_DATA_MAX_BYTES,
  checksumPairStep,
  formFromInstallStartPayload,
  formFromReinstallPayload,
  hostnameProblem,
  typesStep,
  utf8ByteLength,
} from '@byoi/shared';
import type { ByoiFormInput, ImageType, StepOutcome } from '@byoi/shared';
import { apiError, badRequest } from '../http/ovhError.ts';
import type { OvhError } from '../http/ovhError.ts';
import { BYOI_TEMPLATE, findTemplate } from '../ovh/templates.ts';
import type { InstallRoute } from '../state.ts';
import type { ByoiSpec, InstallSpec } from './spec.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const present = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '';

/** The Go type OVH decodes a customization into, as its `CustomizationInvalidFormat` names it. */
type CustomizationType = 'string' | 'map[string]string';

/** The customizations `byoi_64` accepts: its template's inputs, key/value ones as maps. */
const BYOI_CUSTOMIZATIONS: ReadonlyMap<string, CustomizationType> = new Map(
  (findTemplate(BYOI_TEMPLATE)?.inputs ?? []).map((input) => [
    input.name,
    input.type === 'keyValue' ? 'map[string]string' : 'string',
  ]),
);

const invalidFormat = (name: string, type: CustomizationType, why: string): OvhError =>
  badRequest(
    UPSTREAM_MESSAGES.customizationInvalidFormat(name, type, why),
    'Client::BadRequest::CustomizationInvalidFormat',
  );

const mandatory = (name: string): OvhError =>
  invalidFormat(name, 'string', `${name} is mandatory for operating system ${BYOI_TEMPLATE}`);

/** A JSON value's kind, for messages: never the value itself (header values are credentials). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}

/** Why `value` cannot be decoded as `type`; null when it can. */
function typeProblem(type: CustomizationType, value: unknown): string | null {
  if (type === 'string') {
    return typeof value === 'string' ? null : `expected a string, got ${kindOf(value)}`;
  }
  if (!isRecord(value)) return `expected an object of strings, got ${kindOf(value)}`;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string')
      return `the value of ${key} is ${kindOf(entry)}, expected a string`;
  }
  return null;
}

/**
 * OVH decodes `customizations` against the operating system's list before anything else: an
 * unknown name, then a value of the wrong type, is refused. A null value decodes as absent.
 */
function checkCustomizations(
  templateName: string,
  customizations: Record<string, unknown>,
  accepted: ReadonlyMap<string, CustomizationType>,
): void {
  for (const name of Object.keys(customizations)) {
    if (!accepted.has(name)) {
      throw badRequest(
        UPSTREAM_MESSAGES.customizationName(name, templateName),
        'Client::BadRequest::CustomizationName',
      );
    }
  }
  for (const [name, value] of Object.entries(customizations)) {
    const type = accepted.get(name);
    if (type === undefined || value === null) continue;
    const why = typeProblem(type, value);
    if (why !== null) throw invalidFormat(name, type, why);
  }
}

/** OVH's hostname refusals (RFC 1035's rules, with OVH's texts); '' means no hostname. */
function checkHostname(hostname: unknown): void {
  if (typeof hostname !== 'string' || hostname === '') return;
  const problem = hostnameProblem(hostname);
  if (!problem) return;
  if (problem.kind === 'tooLong') {
    throw badRequest(
      UPSTREAM_MESSAGES.hostnameSizeExceeded(problem.length, problem.limit),
      'Client::BadRequest::HostnameSizeExceeded',
    );
  }
  throw badRequest(
    UPSTREAM_MESSAGES.hostnameInvalidFormat(problem.label),
    'Client::BadRequest::HostnameInvalidFormat',
  );
}

/**
 * The user data's limit is the form's (64 KiB), counted on the text cloud-init receives, i.e.
 * after base64 decoding: the console sends it encoded, a third larger than what it checked.
 */
function checkUserDataSize(userData: string | undefined): void {
  if (userData === undefined) return;
  const bytes = utf8ByteLength(userData);
  if (bytes > USER_DATA_MAX_BYTES) {
    throw badRequest(
      UPSTREAM_MESSAGES.customizationSizeExceeded(bytes, USER_DATA_MAX_BYTES),
      'Client::BadRequest::CustomizationSizeExceeded',
    );
  }
}

function refuseOnFailure(outcome: StepOutcome): void {
  if (outcome.status === 'fail') throw badRequest(outcome.message);
}

/** Pairs with a name, as a map (a later duplicate wins, as in a JSON object). */
function pairs(
  rows: readonly { key: string; value: string }[] | undefined,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const row of rows ?? []) if (present(row.key)) record[row.key] = row.value;
  return record;
}

const nonBlank = (value: string | undefined): string | undefined =>
  present(value) ? value : undefined;

function readForm(route: InstallRoute, body: Record<string, unknown>): ByoiFormInput {
  try {
    return route === 'install-start'
      ? formFromInstallStartPayload(body)
      : formFromReinstallPayload(body);
  } catch (error) {
    if (error instanceof PayloadError) throw badRequest(error.message);
    throw error;
  }
}

/** The BYOI rules of both routes, on the form the body describes. */
function byoiSpec(route: InstallRoute, form: ByoiFormInput): ByoiSpec {
  if (!present(form.imageURL)) throw mandatory('imageURL');
  if (!present(form.imageType)) throw mandatory('imageType');
  if (route === 'reinstall' && !present(form.efiBootloaderPath))
    throw mandatory('efiBootloaderPath');

  // OVH's order (DESIGN.md, step 1): the checksum pair, the checksum type, the image type.
  const checksum = nonBlank(form.imageCheckSum);
  const checksumType = nonBlank(form.imageCheckSumType);
  refuseOnFailure(
    checksumPairStep({
      ...(checksum === undefined ? {} : { checksum }),
      ...(checksumType === undefined ? {} : { checksumType }),
    }),
  );
  refuseOnFailure(
    typesStep({
      ...(checksumType === undefined ? {} : { checksumType }),
      imageType: form.imageType,
    }),
  );

  checkHostname(form.customHostname);
  const userData = nonBlank(form.configDriveUserData);
  checkUserDataSize(userData);

  const hostname = form.customHostname === '' ? undefined : form.customHostname;
  const sshKey = nonBlank(form.sshKey);
  const efiBootloaderPath = nonBlank(form.efiBootloaderPath);
  return {
    imageURL: form.imageURL.trim(),
    imageType: form.imageType as ImageType,
    ...(checksum !== undefined && checksumType !== undefined
      ? { imageCheckSum: checksum.trim().toLowerCase(), imageCheckSumType: checksumType }
      : {}),
    httpHeaders: pairs(form.httpHeaders?.map(({ name, value }) => ({ key: name, value }))),
    ...(userData === undefined ? {} : { configDriveUserData: userData }),
    configDriveMetadata: pairs(form.configDriveMetadata),
    ...(hostname === undefined ? {} : { hostname }),
    ...(sshKey === undefined ? {} : { sshKey }),
    ...(efiBootloaderPath === undefined ? {} : { efiBootloaderPath }),
  };
}

/** Reads and checks an install body; throws the OvhError OVH would answer. */
export function readInstallRequest(route: InstallRoute, body: unknown): InstallSpec {
  const nameField = route === 'install-start' ? 'templateName' : 'operatingSystem';
  const templateName = isRecord(body) ? body[nameField] : undefined;
  if (!isRecord(body) || !present(templateName)) {
    throw badRequest(
      `Missing parameter ${nameField}: give the name of the OS to install, e.g. ${BYOI_TEMPLATE}.`,
    );
  }
  if (!findTemplate(templateName)) {
    throw apiError(
      404,
      'Client::NotFound::OperatingSystem',
      `Operating system ${templateName} could not be found`,
    );
  }

  // `properties` (reinstall) is deprecated: accepted, never read, never written anywhere.
  const customizations = route === 'reinstall' ? (body.customizations ?? {}) : undefined;
  if (route === 'reinstall' && !isRecord(customizations)) {
    throw badRequest(
      `Invalid customizations: expected an object (dedicated.server.reinstall.Customizations), got ${kindOf(customizations)}`,
    );
  }

  if (templateName !== BYOI_TEMPLATE) {
    // The hostname rule is OVH's for every operating system.
    checkHostname(
      isRecord(customizations)
        ? customizations.hostname
        : isRecord(body.details)
          ? body.details.customHostname
          : undefined,
    );
    return { templateName, byoi: null };
  }

  if (isRecord(customizations)) {
    checkCustomizations(templateName, customizations, BYOI_CUSTOMIZATIONS);
    return { templateName, byoi: byoiSpec(route, readForm(route, { ...body, customizations })) };
  }
  return { templateName, byoi: byoiSpec(route, readForm(route, body)) };
}
