import type {
  PreflightCheck,
  PreflightReport,
  PreflightRequest,
  PreflightVerifyResult,
} from '@byoi/shared';
import { describe, expect, it } from 'vitest';
import type { ImageCheckState, ImageVerdict } from './imageCheck.ts';
import { changedImageFields, imageVerdict, preflightRequestOf } from './imageCheck.ts';

const URL_A = 'https://images.example.com/a.qcow2';
const TOO_BIG = 'Could not download, qcow2 image is too big to download in memory.';
const BAD_SHA = `Bad sha256 for downloaded file, got: ${'f'.repeat(64)} while expecting ${'e'.repeat(64)}.`;
const NOT_QCOW2 = 'Image is not a qcow2 image.';

const request: PreflightRequest = {
  imageURL: URL_A,
  imageType: 'qcow2',
  imageCheckSum: 'e'.repeat(64),
  imageCheckSumType: 'sha256',
};

const check = (
  id: PreflightCheck['id'],
  status: PreflightCheck['status'],
  extra: Partial<PreflightCheck> = {},
): PreflightCheck => ({ id, status, title: id, sentence: `${id} is ${status}.`, ...extra });

function reportOf(checks: PreflightCheck[], predictedMessage?: string): PreflightReport {
  const verdict = checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.some((c) => c.status === 'warn')
      ? 'warn'
      : 'pass';
  return {
    serverName: 'ns1',
    verdict,
    checkedAt: '2026-11-26T01:30:00.000Z',
    checks,
    facts: {
      finalURL: URL_A,
      httpStatus: 200,
      contentLength: 1024,
      acceptRanges: true,
      detectedType: 'qcow2',
      description: null,
      virtualSizeBytes: null,
      partitionTable: null,
      uefiCapable: null,
      legacyCapable: null,
    },
    esp: null,
    ...(predictedMessage ? { predictedMessage } : {}),
  };
}

const allPass = reportOf([
  check('reachability', 'pass'),
  check('size', 'pass'),
  check('checksum', 'pass'),
  check('format', 'pass'),
]);

const verifyResult = (match: boolean): PreflightVerifyResult => ({
  match,
  algorithm: 'sha256',
  expected: 'e'.repeat(64),
  actual: match ? 'e'.repeat(64) : 'f'.repeat(64),
  bytes: 4096,
  ...(match ? {} : { predictedMessage: BAD_SHA, remedy: 'Copy the checksum again.' }),
});

interface Row {
  name: string;
  state: ImageCheckState;
  current?: PreflightRequest;
  status: ImageVerdict['status'];
  checksumRow?: PreflightCheck['status'];
  failure?: ImageVerdict['failure'];
  stale?: string[];
  headline: RegExp;
}

const rows: Row[] = [
  {
    name: 'nothing run',
    state: {},
    status: 'unchecked',
    headline: /^No image check was run: /,
  },
  {
    name: 'a passing preflight',
    state: { report: { report: allPass, request } },
    status: 'pass',
    checksumRow: 'pass',
    headline: /^Every check passed/,
  },
  {
    name: 'a passing preflight, then a Verify mismatch',
    state: {
      report: { report: allPass, request },
      verify: { outcome: { kind: 'result', result: verifyResult(false) }, request },
    },
    status: 'fail',
    checksumRow: 'fail',
    failure: { message: BAD_SHA, fromOvh: true, checkTitle: 'Checksum' },
    headline: /^The image would fail: 1 check failed/,
  },
  {
    name: 'a Verify mismatch alone',
    state: { verify: { outcome: { kind: 'result', result: verifyResult(false) }, request } },
    status: 'fail',
    checksumRow: 'fail',
    failure: { message: BAD_SHA, fromOvh: true, checkTitle: 'Checksum' },
    headline: /^The image would fail/,
  },
  {
    name: 'a Verify match alone',
    state: { verify: { outcome: { kind: 'result', result: verifyResult(true) }, request } },
    status: 'pass',
    checksumRow: 'pass',
    headline: /^The checksum of the downloaded image matches\. Check image was not run/,
  },
  {
    name: 'a preflight predicting a format failure, with a Verify mismatch: the mismatch comes first',
    state: {
      report: {
        report: reportOf(
          [check('format', 'fail', { predictedMessage: NOT_QCOW2 }), check('checksum', 'pass')],
          NOT_QCOW2,
        ),
        request,
      },
      verify: { outcome: { kind: 'result', result: verifyResult(false) }, request },
    },
    status: 'fail',
    checksumRow: 'fail',
    failure: { message: BAD_SHA, fromOvh: true, checkTitle: 'Checksum' },
    headline: /2 checks failed/,
  },
  {
    name: 'a preflight that predicts OVH refusing the checksum type at submit',
    state: {
      report: {
        report: reportOf(
          [
            check('checksum', 'fail', { predictedMessage: 'Invalid checksum type.' }),
            check('size', 'fail', { predictedMessage: TOO_BIG }),
          ],
          'Invalid checksum type.',
        ),
        request,
      },
      verify: { outcome: { kind: 'result', result: verifyResult(false) }, request },
    },
    status: 'fail',
    // Verify's row replaces the preflight's Checksum row: what the real download said wins.
    checksumRow: 'fail',
    failure: { message: BAD_SHA, fromOvh: true, checkTitle: 'Checksum' },
    headline: /2 checks failed/,
  },
  {
    name: 'Verify could not download the image, as OVH would not',
    state: {
      report: { report: allPass, request },
      verify: {
        outcome: {
          kind: 'error',
          error: {
            code: 'IMAGE_TOO_BIG',
            message: 'More bytes than the RAM limit.',
            predictedMessage: TOO_BIG,
          },
        },
        request,
      },
    },
    status: 'fail',
    checksumRow: 'pass',
    failure: { message: TOO_BIG, fromOvh: true, checkTitle: 'Download (Verify checksum)' },
    headline: /^The image would fail/,
  },
  {
    name: 'Verify stopped for a reason of its own: a warning, not a failure',
    state: {
      report: { report: allPass, request },
      verify: {
        outcome: { kind: 'error', error: { message: 'The connection to the console closed.' } },
        request,
      },
    },
    status: 'warn',
    checksumRow: 'warn',
    headline: /^No check failed, 1 warning/,
  },
  {
    name: 'a checksum file that does not list the image: no OVH message, the sentence instead',
    state: {
      report: {
        report: reportOf([
          check('reachability', 'pass'),
          check('checksumFile', 'fail', {
            sentence: 'No line of the checksum file names a.qcow2.',
          }),
        ]),
        request: { ...request, checksumFileURL: 'https://images.example.com/SHA256SUMS' },
      },
    },
    current: { ...request, checksumFileURL: 'https://images.example.com/SHA256SUMS' },
    status: 'fail',
    failure: {
      message: 'No line of the checksum file names a.qcow2.',
      fromOvh: false,
      checkTitle: 'checksumFile',
    },
    headline: /^The image would fail/,
  },
  {
    name: 'a checksum file that filled the checksum: the report is about the filled values',
    state: {
      report: {
        report: reportOf([check('checksumFile', 'pass'), check('checksum', 'pass')]),
        request: { ...request, checksumFileURL: 'https://images.example.com/SHA256SUMS' },
      },
    },
    current: { ...request, checksumFileURL: 'https://images.example.com/SHA256SUMS' },
    status: 'pass',
    checksumRow: 'pass',
    headline: /^Every check passed/,
  },
  {
    name: 'a failing report about another URL: stale, not counted',
    state: { report: { report: reportOf([check('size', 'fail')], TOO_BIG), request } },
    current: { ...request, imageURL: 'https://images.example.com/b.qcow2' },
    status: 'unchecked',
    stale: ['Check image'],
    headline: /about another image \(https:\/\/images\.example\.com\/a\.qcow2\)/,
  },
  {
    name: 'a Verify mismatch, then the checksum changed: stale, not counted',
    state: {
      report: { report: allPass, request },
      verify: { outcome: { kind: 'result', result: verifyResult(false) }, request },
    },
    current: { ...request, imageCheckSum: 'd'.repeat(64) },
    status: 'unchecked',
    stale: ['Check image', 'Verify checksum'],
    headline: /^No image check was run for the image as now typed/,
  },
  {
    name: 'a header value changed: stale too',
    state: {
      report: {
        report: allPass,
        request: { ...request, httpHeaders: [{ name: 'Authorization', value: 'a' }] },
      },
    },
    current: { ...request, httpHeaders: [{ name: 'Authorization', value: 'b' }] },
    status: 'unchecked',
    stale: ['Check image'],
    headline: /about another image/,
  },
];

describe('imageVerdict', () => {
  it.each(rows)('$name', (row) => {
    const verdict = imageVerdict(row.state, row.current ?? request);
    expect(verdict.status).toBe(row.status);
    expect(verdict.headline).toMatch(row.headline);
    expect(verdict.failure).toEqual(row.failure);
    expect(verdict.stale.map((s) => s.what)).toEqual(row.stale ?? []);
    if (row.checksumRow) {
      expect(verdict.checks.find((c) => c.id === 'checksum')?.status).toBe(row.checksumRow);
    }
    if (row.status !== 'pass') expect(verdict.headline).not.toMatch(/passed/);
  });

  it('says which image fields changed since a stale result', () => {
    const verdict = imageVerdict(
      { report: { report: allPass, request } },
      { ...request, imageCheckSum: 'd'.repeat(64), efiBootloaderPath: '\\efi\\boot\\bootx64.efi' },
    );
    expect(verdict.stale).toEqual([
      { what: 'Check image', imageURL: URL_A, changed: ['Image checksum', 'EFI bootloader path'] },
    ]);
  });

  it('keeps the acknowledged message on one line and within the form limit', () => {
    const long = `Bad\nthing ${'x'.repeat(2000)}`;
    const verdict = imageVerdict(
      {
        report: {
          report: reportOf([check('size', 'fail', { predictedMessage: long })], long),
          request,
        },
      },
      request,
    );
    expect(verdict.failure?.message).toMatch(/^Bad thing x+…$/);
    expect(verdict.failure?.message.length).toBe(1000);
  });
});

describe('changedImageFields', () => {
  it('names every image field that differs, and none when equal', () => {
    expect(changedImageFields(request, request)).toEqual([]);
    expect(changedImageFields(request, { imageURL: URL_A, imageType: 'raw' })).toEqual([
      'Image type',
      'Image checksum',
      'Checksum type',
    ]);
  });

  it('ignores the fields that do not describe the image, as preflightRequestOf drops them', () => {
    const base = {
      imageURL: URL_A,
      imageType: 'qcow2' as const,
      customHostname: 'web1',
      configDriveUserData: '#cloud-config',
    };
    expect(
      changedImageFields(
        preflightRequestOf(base, ''),
        preflightRequestOf({ ...base, customHostname: 'web2', configDriveUserData: '' }, ''),
      ),
    ).toEqual([]);
  });
});
