/** Install history entries and library images as the BFF answers them, for the unit tests. */
import type {
  InstallHistoryEntryDto,
  LibraryImageDetailResponse,
  LibraryImageDto,
  LibraryImageVersionDto,
} from '@byoi/shared';
import { SN } from './api.ts';

export const USER_DATA_SHA = 'c0ffee'.repeat(10) + 'beef';
export const CHECKSUM = 'ab'.repeat(32);

export const doneEntry: InstallHistoryEntryDto = {
  id: 'install-2',
  server: SN,
  taskId: 4242,
  user: 'alice',
  route: 'reinstall',
  submittedAt: '2026-11-26T09:00:00.000Z',
  endedAt: '2026-11-26T09:07:05.000Z',
  durationSeconds: 425,
  outcome: 'done',
  message: null,
  image: {
    imageURL: 'https://images.example.com/debian-12.qcow2',
    imageURLRedacted: false,
    imageType: 'qcow2',
    imageCheckSum: CHECKSUM,
    imageCheckSumType: 'sha256',
    efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    httpHeaderNames: ['Authorization', 'X-Tenant'],
    customHostname: 'web1.example.com',
    configDriveUserDataSha256: USER_DATA_SHA,
  },
  libraryImage: null,
};

export const FAILURE = 'Could not download image: The requested URL returned error: 403';

export const failedEntry: InstallHistoryEntryDto = {
  ...doneEntry,
  id: 'install-1',
  taskId: 4241,
  user: 'bob',
  route: 'install-start',
  submittedAt: '2026-11-25T08:00:00.000Z',
  endedAt: '2026-11-25T08:01:00.000Z',
  durationSeconds: 60,
  outcome: 'failed',
  message: FAILURE,
  image: {
    ...doneEntry.image,
    imageURL: 'https://images.example.com/signed.raw?X-Amz-Signature=&X-Amz-Expires=',
    imageURLRedacted: true,
    imageType: 'raw',
    imageCheckSum: null,
    imageCheckSumType: null,
    httpHeaderNames: [],
    customHostname: null,
    configDriveUserDataSha256: null,
  },
};

export const runningEntry: InstallHistoryEntryDto = {
  ...doneEntry,
  id: 'install-3',
  taskId: 4243,
  submittedAt: '2026-11-26T10:00:00.000Z',
  endedAt: null,
  durationSeconds: null,
  outcome: 'running',
};

export const version1: LibraryImageVersionDto = {
  version: 1,
  imageURL: 'https://images.example.com/debian-12.qcow2',
  imageType: 'qcow2',
  imageCheckSum: null,
  imageCheckSumType: null,
  checksumFileURL: null,
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
  httpHeaders: [{ name: 'Authorization' }],
  notes: '',
  createdBy: 'alice',
  createdAt: '2026-11-20T09:00:00.000Z',
  lastCheck: null,
};

export const version2: LibraryImageVersionDto = {
  ...version1,
  version: 2,
  imageURL: 'https://images.example.com/debian-12.1.qcow2',
  imageCheckSum: CHECKSUM,
  imageCheckSumType: 'sha256',
  checksumFileURL: 'https://images.example.com/SHA256SUMS',
  httpHeaders: [{ name: 'Authorization' }, { name: 'X-Tenant' }],
  notes: 'Point release',
  createdAt: '2026-11-24T09:00:00.000Z',
  lastCheck: {
    verdict: 'pass',
    at: '2026-11-24T10:00:00.000Z',
    server: SN,
    user: 'alice',
    predictedMessage: null,
  },
};

export const libraryImage: LibraryImageDto = {
  id: 'img-debian',
  name: 'Debian 12 web',
  notes: 'Web servers, maintained by the platform team.',
  createdBy: 'alice',
  createdAt: '2026-11-20T09:00:00.000Z',
  updatedAt: '2026-11-24T09:00:00.000Z',
  latest: version2,
  versionCount: 2,
};

export const libraryDetail: LibraryImageDetailResponse = {
  image: libraryImage,
  versions: [version2, version1],
};
