/**
 * What of a submitted install form the console keeps and may show again: the image as the audit
 * log writes it (userinfo removed, query values blanked), header names but never their values, the
 * user data only as its SHA-256. The install record stores these facts (store/installRecords.ts);
 * the done page and the server page show their `SubmittedInstallDto` part.
 */
import type { ByoiForm, InstallRoute, LibraryImageRef, SubmittedInstallDto } from '@byoi/shared';
import { redactUrl, sha256Hex } from '../redact.ts';
import type { ServerTask } from '../ovh/types.ts';
import type { InstallFacts } from '../store/schema.ts';

/** The facts of a submitted form the done page shows: no header value, no user data. */
export function submittedFacts(
  route: InstallRoute,
  form: ByoiForm,
  task: Pick<ServerTask, 'taskId' | 'startDate'>,
): SubmittedInstallDto {
  const metadataKeys = form.configDriveMetadata?.length ?? 0;
  const userData = form.configDriveUserData !== undefined;
  const sshKey = form.sshKey !== undefined;
  return {
    taskId: task.taskId,
    route,
    submittedAt: task.startDate,
    imageURL: redactUrl(form.imageURL),
    imageType: form.imageType,
    imageCheckSum: form.imageCheckSum ?? null,
    imageCheckSumType: form.imageCheckSumType ?? null,
    customHostname: form.customHostname ?? null,
    efiBootloaderPath: form.efiBootloaderPath ?? null,
    configDrive:
      userData || sshKey || metadataKeys > 0 || form.customHostname !== undefined
        ? { userData, metadataKeys, sshKey }
        : null,
  };
}

/** True when `redactUrl` drops something of this address: userinfo, a fragment, a query value. */
export function urlLosesParts(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Kept only as a digest.
    return true;
  }
  return (
    url.username !== '' ||
    url.password !== '' ||
    url.hash !== '' ||
    [...url.searchParams.values()].some((value) => value !== '')
  );
}

/** Everything the install record keeps of a submitted form. */
export function installFacts(
  route: InstallRoute,
  form: ByoiForm,
  task: Pick<ServerTask, 'taskId' | 'startDate'>,
): InstallFacts {
  return {
    ...submittedFacts(route, form, task),
    httpHeaderNames: (form.httpHeaders ?? []).map((header) => header.name),
    configDriveUserDataSha256:
      form.configDriveUserData === undefined ? null : sha256Hex(form.configDriveUserData),
    imageURLRedacted: urlLosesParts(form.imageURL),
  };
}

/** The `SubmittedInstallDto` part of stored facts (the progress DTO carries nothing more). */
export function submittedPart(facts: InstallFacts): SubmittedInstallDto {
  return {
    taskId: facts.taskId,
    route: facts.route,
    submittedAt: facts.submittedAt,
    imageURL: facts.imageURL,
    imageType: facts.imageType,
    imageCheckSum: facts.imageCheckSum,
    imageCheckSumType: facts.imageCheckSumType,
    customHostname: facts.customHostname,
    efiBootloaderPath: facts.efiBootloaderPath,
    configDrive: facts.configDrive,
  };
}

/** The library image version the form was filled from, or null. */
export function libraryImageOf(form: ByoiForm): LibraryImageRef | null {
  return form.libraryImage
    ? { id: form.libraryImage.id, version: form.libraryImage.version }
    : null;
}
