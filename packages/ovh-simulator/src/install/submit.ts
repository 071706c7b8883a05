/**
 * What OVH checks when an install is submitted, before any task exists (HTTP 400/404), and the
 * `InstallSpec` the engine then runs. Only OVH's own submit-time rules live here; everything
 * about the image itself is found out later, by the install, as on the real platform.
 */
import {
  CHECKSUM_TYPES,
  IMAGE_TYPES,
  PayloadError,
  UPSTREAM_MESSAGES,
  formFromInstallStartPayload,
  formFromReinstallPayload,
} from '@byoi/shared';
import type { ByoiFormInput } from '@byoi/shared';
import { apiError, badRequest } from '../http/ovhError.ts';
import { BYOI_TEMPLATE, findTemplate } from '../ovh/templates.ts';
import type { InstallRoute } from '../state.ts';
import type { ImageType } from './imageChecks.ts';
import type { InstallSpec } from './spec.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const present = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '';

const mandatory = (name: string, why: string) =>
  badRequest(
    `Invalid customization format for ${name} of type string: ${why}`,
    'Client::BadRequest::CustomizationInvalidFormat',
  );

/** Reads and checks an install body; throws the OvhError OVH would answer. */
export function readInstallRequest(route: InstallRoute, body: unknown): InstallSpec {
  const nameField = route === 'install-start' ? 'templateName' : 'operatingSystem';
  const templateName = isRecord(body) ? body[nameField] : undefined;
  if (!present(templateName)) {
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
  if (templateName !== BYOI_TEMPLATE) return { templateName, byoi: null };

  let form: ByoiFormInput;
  try {
    form =
      route === 'install-start'
        ? formFromInstallStartPayload(body)
        : formFromReinstallPayload(body);
  } catch (error) {
    if (error instanceof PayloadError) throw badRequest(error.message);
    throw error;
  }

  // OVH's order (DESIGN.md, step 1): the checksum pair, the checksum type, the image type.
  const checksum: unknown = form.imageCheckSum;
  const checksumType: unknown = form.imageCheckSumType;
  if (present(checksum) !== present(checksumType))
    throw badRequest(UPSTREAM_MESSAGES.checksumPair());
  if (present(checksumType) && !(CHECKSUM_TYPES as readonly string[]).includes(checksumType)) {
    throw badRequest(UPSTREAM_MESSAGES.checksumType());
  }
  const imageType: unknown = form.imageType;
  if (typeof imageType !== 'string' || !(IMAGE_TYPES as readonly string[]).includes(imageType)) {
    throw badRequest(UPSTREAM_MESSAGES.badFormat());
  }
  const imageURL: unknown = form.imageURL;
  if (!present(imageURL)) {
    throw mandatory('imageURL', `imageURL is mandatory for operating system ${BYOI_TEMPLATE}`);
  }
  if (route === 'reinstall' && !present(form.efiBootloaderPath)) {
    throw mandatory(
      'efiBootloaderPath',
      `efiBootloaderPath is mandatory for operating system ${BYOI_TEMPLATE}`,
    );
  }

  const headers: Record<string, string> = {};
  for (const header of form.httpHeaders ?? []) {
    if (present(header.name)) headers[header.name] = header.value ?? '';
  }
  return {
    templateName,
    byoi: {
      imageURL: imageURL.trim(),
      imageType: imageType as ImageType,
      ...(present(checksum) && present(checksumType)
        ? { imageCheckSum: checksum.trim().toLowerCase(), imageCheckSumType: checksumType }
        : {}),
      httpHeaders: headers,
      ...(typeof form.configDriveUserData === 'string'
        ? { configDriveUserData: form.configDriveUserData }
        : {}),
    },
  };
}
