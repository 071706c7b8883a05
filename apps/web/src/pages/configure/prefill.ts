/**
 * Values the configuration form opens with when the operator asked for them: an install of the
 * history ("Reinstall with the same image", `?reuse=install:<id>`) or a library image version
 * ("Install this image", `?image=<id>&version=<n>`, or the "From the library" picker). Header
 * values never reach the browser: a history entry gives header names to type again, a library
 * version gives names whose stored values the BFF adds itself (`libraryImage` in the body).
 */
import type {
  ByoiFormInput,
  InstallHistoryEntryDto,
  LibraryImageDto,
  LibraryImageRef,
  LibraryImageVersionDto,
} from '@byoi/shared';
import { formatDateTime } from '../../ui/format.ts';
import { restoreFrom } from './formStorage.ts';

/** The library image version the form installs: the BFF adds its stored header values. */
export interface LibrarySource {
  ref: LibraryImageRef;
  name: string;
  /** The headers whose values the library stores, by name. */
  headerNames: string[];
  /** Where the version's image lives (`https://host:port`): the stored headers go only there. */
  origin: string | null;
  /** Labels of the fields the version filled in, in the form's order. */
  filled: string[];
}

/** Which values came back, from where and by which action; header values never do. */
export interface Restored {
  /** The operator's action, as the banner names it ("Reinstall with the same image"). */
  action: string;
  /** Where the values came from, e.g. "your last install on ns1…". */
  from: string;
  fields: string[];
  /** Header names came back whose values must be typed again. */
  headerNames: boolean;
  /** The image URL came back without its query values (a signed link is never kept). */
  urlQueryDropped: boolean;
}

export interface Prefill {
  values: Partial<ByoiFormInput>;
  restored: Restored | null;
  library: LibrarySource | null;
  /** The Image check's Checksum file URL (not a form field: it is never sent to OVH). */
  checksumFileURL: string;
}

/** `https://host:port` of an http(s) URL; null when it is not one. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

const IMAGE_LABELS = [
  ['imageURL', 'Image URL'],
  ['imageType', 'Image type'],
  ['imageCheckSum', 'Image checksum'],
  ['imageCheckSumType', 'Checksum type'],
  ['efiBootloaderPath', 'EFI bootloader path'],
] as const;

/** The form fields a library version fills in (its headers are the library's, not the form's). */
export function versionValues(version: LibraryImageVersionDto): Partial<ByoiFormInput> {
  return {
    imageURL: version.imageURL,
    imageType: version.imageType,
    imageCheckSum: version.imageCheckSum ?? '',
    imageCheckSumType: version.imageCheckSumType ?? '',
    ...(version.efiBootloaderPath ? { efiBootloaderPath: version.efiBootloaderPath } : {}),
  };
}

export function librarySourceOf(
  image: Pick<LibraryImageDto, 'id' | 'name'>,
  version: LibraryImageVersionDto,
): LibrarySource {
  const values = versionValues(version);
  const filled: string[] = IMAGE_LABELS.filter(([field]) => {
    const value = values[field];
    return typeof value === 'string' && value !== '';
  }).map(([, label]) => label);
  if (version.checksumFileURL) filled.splice(4, 0, 'Checksum file URL');
  return {
    ref: { id: image.id, version: version.version },
    name: image.name,
    headerNames: version.httpHeaders.map((header) => header.name),
    origin: originOf(version.imageURL),
    filled,
  };
}

/** "Install this image": the version's image fields, its headers kept in the library. */
export function fromLibrary(
  image: Pick<LibraryImageDto, 'id' | 'name'>,
  version: LibraryImageVersionDto,
): Prefill {
  return {
    values: { ...versionValues(version), httpHeaders: [] },
    restored: null,
    library: librarySourceOf(image, version),
    checksumFileURL: version.checksumFileURL ?? '',
  };
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A URL as the history keeps it: no userinfo, every query value blank (keys kept). */
function redactedForm(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const keys = [...parsed.searchParams.keys()];
  parsed.username = '';
  parsed.password = '';
  parsed.search =
    keys.length > 0 ? `?${keys.map((key) => `${encodeURIComponent(key)}=`).join('&')}` : '';
  return parsed.href;
}

/**
 * "Reinstall with the same image" from the history: the image fields and the hostname as the
 * install was given them. Header names come back as rows to type again, except those the library
 * version the install came from stores (`version`, when it could be read): those stay the library's.
 */
export function fromHistory(
  entry: InstallHistoryEntryDto,
  sn: string,
  defaults: ByoiFormInput,
  version?: LibraryImageVersionDto,
): Prefill {
  const { image } = entry;
  const stored = version?.httpHeaders.map((header) => header.name) ?? [];
  const library =
    entry.libraryImage && version
      ? {
          ...librarySourceOf(entry.libraryImage, version),
          headerNames: image.httpHeaderNames.filter((name) =>
            stored.some((s) => sameName(s, name)),
          ),
        }
      : null;
  const retype = image.httpHeaderNames.filter(
    (name) => library === null || !library.headerNames.some((s) => sameName(s, name)),
  );
  // The library keeps the whole address the history could not: taken when it is the same image.
  const fullURL =
    image.imageURLRedacted &&
    library &&
    version &&
    redactedForm(version.imageURL) === redactedForm(image.imageURL)
      ? version.imageURL
      : null;
  const given: Partial<ByoiFormInput> = {
    imageURL: fullURL ?? image.imageURL,
    imageType: image.imageType,
    imageCheckSum: image.imageCheckSum ?? '',
    imageCheckSumType: image.imageCheckSumType ?? '',
    efiBootloaderPath: image.efiBootloaderPath ?? '',
    customHostname: image.customHostname ?? '',
    httpHeaders: retype.map((name) => ({ name, value: '' })),
  };
  const { values, fields } = restoreFrom(given, 'all', defaults);
  return {
    values: { ...values, httpHeaders: given.httpHeaders },
    restored: {
      action: 'Reinstall with the same image',
      from: `the install of ${formatDateTime(entry.submittedAt)} on ${sn}`,
      fields,
      headerNames: retype.length > 0,
      urlQueryDropped: image.imageURLRedacted && fullURL === null,
    },
    library: library ? { ...library, filled: [] } : null,
    checksumFileURL: '',
  };
}
