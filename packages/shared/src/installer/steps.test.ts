/**
 * The installer model, step by step: a table of facts → outcome for each step. The simulator's
 * install and the preflight's prediction both decide through these functions, so these tables
 * are what both of them do.
 */
import { describe, expect, it } from 'vitest';
import type { ImageSniff } from '../image/sniff.ts';
import {
  checksumPairStep,
  checksumStep,
  configDriveStep,
  diskSizeStep,
  downloadSizeStep,
  downloadStep,
  firstFailure,
  formatStep,
  typesStep,
  writeStep,
  type StepOutcome,
} from './steps.ts';
import { downloadErrorText, downloadFailureFromCode } from './downloadFailure.ts';
import { hardwareSizes, imageLimitBytes, targetDisk } from './hardware.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** `pass`, `unknown`, or the failing code and OVH's message. */
function summary(outcome: StepOutcome): string | [string, string] {
  return outcome.status === 'fail' ? [outcome.code, outcome.message] : outcome.status;
}

const qcow2 = (over: Partial<NonNullable<ImageSniff['qcow2']>> = {}): ImageSniff => ({
  kind: 'qcow2',
  description: 'QEMU QCOW2 Image (v3)',
  isDiskImage: true,
  qcow2: {
    version: 3,
    virtualSize: 8 * MiB,
    clusterBits: 16,
    backingFile: null,
    encrypted: false,
    compressionType: 'zlib',
    l1Size: 1,
    l1TableOffset: 0x30000,
    refcountTableOffset: 0x10000,
    problems: [],
    ...over,
  },
});

const gpt = (crcValid = true): ImageSniff => ({
  kind: 'raw-gpt',
  description: 'DOS/MBR boot sector; GPT partition table',
  isDiskImage: true,
  partitions: {
    table: 'gpt',
    sectorSize: 512,
    gptHeaderCrcValid: crcValid,
    gptEntriesCrcValid: true,
    diskGuid: null,
    entries: [],
    mbrBootCode: false,
    uefiCapable: true,
    legacyCapable: false,
  },
});
const other = (kind: ImageSniff['kind'], description: string): ImageSniff => ({
  kind,
  description,
  isDiskImage: false,
});

describe('checksumPair', () => {
  it.each([
    [{}, 'pass'],
    [{ checksum: 'ab', checksumType: 'md5' }, 'pass'],
    [{ checksum: '  ', checksumType: '' }, 'pass'],
    [
      { checksum: 'ab' },
      ['CHECKSUM_PAIR', 'Please provide checkSum AND checkSumType or none of them'],
    ],
    [
      { checksumType: 'sha256' },
      ['CHECKSUM_PAIR', 'Please provide checkSum AND checkSumType or none of them'],
    ],
  ])('%j → %j', (facts, expected) => {
    expect(summary(checksumPairStep(facts))).toEqual(expected);
  });
});

describe('types', () => {
  it.each([
    [{ imageType: 'raw' }, 'pass'],
    [{ imageType: 'qcow2', checksumType: 'sha512' }, 'pass'],
    [
      { imageType: 'raw', checksumType: 'crc32' },
      ['CHECKSUM_TYPE', 'Bad checkSumType, expected: sha1, sha256, md5.'],
    ],
    [{ imageType: 'vmdk' }, ['BAD_FORMAT', 'Bad format image, expected: qcow2, raw.']],
  ])('%j → %j', (facts, expected) => {
    expect(summary(typesStep(facts))).toEqual(expected);
  });
});

describe('download', () => {
  const url = new URL('https://images.example.com:8443/a.raw');
  it.each([
    [null, 'pass'],
    [{ kind: 'status', status: 404 } as const, 'The requested URL returned error: 404'],
    [downloadFailureFromCode('ENOTFOUND', url), 'Could not resolve host: images.example.com'],
    [
      downloadFailureFromCode('ECONNREFUSED', url),
      'Failed to connect to images.example.com port 8443: Connection refused',
    ],
    [
      downloadFailureFromCode('EHOSTUNREACH', new URL('http://[2001:db8::1]/a')),
      'Failed to connect to 2001:db8::1 port 80: No route to host',
    ],
    [downloadFailureFromCode('ECONNRESET', url), 'Recv failure: Connection reset by peer'],
    [downloadFailureFromCode('ETIMEDOUT', url), 'Operation timed out'],
    [
      downloadFailureFromCode('CERT_HAS_EXPIRED', url),
      'SSL certificate problem: certificate has expired',
    ],
    [
      downloadFailureFromCode('ERR_SSL_WRONG_VERSION_NUMBER', url),
      'SSL certificate problem: ssl wrong version number',
    ],
    [{ kind: 'redirects' } as const, 'Maximum (5) redirects followed'],
    [{ kind: 'closed' } as const, 'transfer closed with outstanding read data remaining'],
  ])('%j → %j', (failure, expected) => {
    const outcome = downloadStep({ failure });
    expect(summary(outcome)).toEqual(
      expected === 'pass' ? 'pass' : ['DOWNLOAD_FAILED', `Could not download image: ${expected}`],
    );
    if (failure) expect(downloadErrorText(failure)).toBe(expected);
  });
});

describe('downloadSize', () => {
  const limit = 8 * MiB;
  it.each([
    [{ bytes: null, limitBytes: limit, imageType: 'raw' }, 'unknown'],
    [{ bytes: limit, limitBytes: limit, imageType: 'raw' }, 'pass'],
    [
      { bytes: limit + 1, limitBytes: limit, imageType: 'qcow2' },
      [
        'IMAGE_TOO_BIG_FOR_RAM',
        'Could not download, qcow2 image is too big to download in memory.',
      ],
    ],
  ])('%j → %j', (facts, expected) => {
    expect(summary(downloadSizeStep(facts))).toEqual(expected);
  });
});

describe('checksum', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  it.each([
    [{ actual: null }, 'pass'],
    [{ checksum: a, checksumType: 'sha256', actual: null }, 'unknown'],
    [{ checksum: a.toUpperCase(), checksumType: 'sha256', actual: a }, 'pass'],
    [
      { checksum: a.toUpperCase(), checksumType: 'sha256', actual: b },
      ['CHECKSUM_MISMATCH', `Bad sha256 for downloaded file, got: ${b} while expecting ${a}.`],
    ],
  ])('%j → %j', (facts, expected) => {
    expect(summary(checksumStep(facts))).toEqual(expected);
  });
});

describe('format', () => {
  it.each([
    [qcow2(), 'qcow2', 'pass'],
    [gpt(), 'raw', 'pass'],
    [
      other('iso9660', 'ISO 9660 CD-ROM filesystem data'),
      'raw',
      ['BAD_FORMAT', 'Bad format image, expected: qcow2, raw.'],
    ],
    [
      other('html', 'HTML document'),
      'qcow2',
      ['BAD_FORMAT', 'Bad format image, expected: qcow2, raw.'],
    ],
    [
      gpt(),
      'qcow2',
      ['NOT_QCOW2', 'image provided format is raw which does not match expected qcow2 format'],
    ],
    [
      other('data', 'data'),
      'qcow2',
      ['NOT_QCOW2', 'image provided format is data which does not match expected qcow2 format'],
    ],
    [
      qcow2(),
      'raw',
      [
        'RAW_NO_PARTITION_TABLE',
        'image provided format is not of type raw because no partition table was found. It seems to contain: QEMU QCOW2 Image (v3)',
      ],
    ],
  ] as const)('%#: %s declared %s', (sniff, imageType, expected) => {
    expect(summary(formatStep({ sniff, imageType }))).toEqual(expected);
  });
});

describe('diskSize', () => {
  const disk = { device: '/dev/sda', bytes: 16_000_000 };
  it.each([
    [gpt(), 8 * MiB, 'pass'],
    [gpt(), null, 'unknown'],
    [gpt(), 16_000_000, 'pass'],
    [
      gpt(),
      16_000_001,
      [
        'IMAGE_LARGER_THAN_DISK',
        'image provided has a size of 16000001 bytes which is larger than /dev/sda of 16000000 bytes',
      ],
    ],
    // A qcow2 is compared by its virtual size, whatever the file's size (or when it is unknown).
    [
      qcow2({ virtualSize: 64 * GiB }),
      null,
      [
        'IMAGE_LARGER_THAN_DISK',
        `image provided has a size of ${64 * GiB} bytes which is larger than /dev/sda of 16000000 bytes`,
      ],
    ],
  ] as const)('%#', (sniff, imageBytes, expected) => {
    expect(summary(diskSizeStep({ sniff, imageBytes, disk }))).toEqual(expected);
  });
});

describe('write', () => {
  it.each([
    [qcow2(), 'pass'],
    [gpt(), 'pass'],
    [qcow2({ backingFile: 'base.qcow2' }), ['WRITE_FAILED', "Can't write qcow2 on disk"]],
    [qcow2({ encrypted: true }), ['WRITE_FAILED', "Can't write qcow2 on disk"]],
    [
      qcow2({ problems: ['The refcount table offset is 0.'] }),
      ['WRITE_FAILED', "Can't write qcow2 on disk"],
    ],
    [
      gpt(false),
      ['GPT_RELOCATION_FAILED', 'Can not move backup GPT data structures to the end of disk.'],
    ],
  ] as const)('%#', (sniff, expected) => {
    expect(summary(writeStep({ sniff }))).toEqual(expected);
  });
});

describe('configDrive', () => {
  const failed = ['CONFIGDRIVE_FAILED', 'Could not create configdrive on disk.'];
  it.each([
    [undefined, 'pass'],
    ['#!/bin/sh\necho hi\n', 'pass'],
    ['#cloud-config\npackages: [vim]\n', 'pass'],
    [btoa('#cloud-config\npackages: [vim]\n'), 'pass'],
    ['#cloud-config\n: [\n', failed],
    ['#cloud-config\n- a list\n', failed],
    ['hello', failed],
  ])('%j → %j', (userData, expected) => {
    expect(summary(configDriveStep(userData === undefined ? {} : { userData }))).toEqual(expected);
  });
});

describe('the installer’s order', () => {
  it('an image with several problems meets the earliest step’s', () => {
    const failures = [
      writeStep({ sniff: qcow2({ encrypted: true }) }),
      downloadSizeStep({ bytes: 2, limitBytes: 1, imageType: 'qcow2' }),
      formatStep({ sniff: other('iso9660', 'ISO'), imageType: 'raw' }),
      checksumStep({ checksum: 'a', checksumType: 'md5', actual: 'b' }),
    ].filter((o) => o.status === 'fail');
    expect(firstFailure(failures)?.code).toBe('IMAGE_TOO_BIG_FOR_RAM');
    // A content "Bad format" comes after the checksum, although a submit "Bad format" comes first.
    expect(firstFailure(failures.slice(2))?.code).toBe('CHECKSUM_MISMATCH');
  });
});

describe('hardware', () => {
  it('reads memory as binary and disks as sold, and targets the first disk of the first group', () => {
    const sizes = hardwareSizes({
      memorySize: { unit: 'MB', value: 32768 },
      diskGroups: [
        { diskType: 'NVME', diskSize: { unit: 'GB', value: 960 } },
        { diskType: 'SATA', diskSize: { unit: 'TB', value: 4 } },
      ],
    });
    expect(sizes.memoryBytes).toBe(32 * GiB);
    expect(imageLimitBytes(sizes.memoryBytes)).toBe(29 * GiB);
    expect(targetDisk(sizes.diskGroups)).toEqual({
      device: '/dev/nvme0n1',
      bytes: 960_000_000_000,
    });
  });

  it('a server without disks offers /dev/sda of 0 bytes; RAM below 3 GiB fits nothing', () => {
    expect(targetDisk([])).toEqual({ device: '/dev/sda', bytes: 0 });
    expect(imageLimitBytes(2 * GiB)).toBe(0);
  });
});
