/**
 * The error catalog reads every message OVH gives: the seed guide's eight word for word, today's
 * guide's rewordings, and the messages only the newer table lists.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, UNKNOWN_CODE, UPSTREAM_MESSAGES, explainUpstreamMessage } from './catalog.ts';

describe("the seed guide's result table, word for word", () => {
  it.each([
    ["Can't write qcow2 on disk.", 'WRITE_FAILED'],
    ['Could not download, qcow2 image is too big to download in memory.', 'IMAGE_TOO_BIG_FOR_RAM'],
    ['Could not download image located: http://path/of/your/image.', 'DOWNLOAD_FAILED'],
    ['Bad format image, expected: qcow2, raw.', 'BAD_FORMAT'],
    ['Bad checkSumType, expected: sha1, sha256, md5.', 'CHECKSUM_TYPE'],
    ['Bad sha512 for downloaded file, got: 1234 while expecting 5678.', 'CHECKSUM_MISMATCH'],
    ['Can not move backup GPT data structures to the end of disk.', 'GPT_RELOCATION_FAILED'],
    ['Could not create configdrive on disk.', 'CONFIGDRIVE_FAILED'],
  ])('%s', (message, code) => {
    const entry = explainUpstreamMessage(message);
    expect(entry.code).toBe(code);
    expect(entry.message).toBe(message);
    expect(entry.meaning).not.toBe('');
    expect(entry.remedy).not.toBe('');
  });

  it('builds the seed wordings exactly', () => {
    expect(UPSTREAM_MESSAGES.downloadFailedLocated('http://path/of/your/image')).toBe(
      'Could not download image located: http://path/of/your/image.',
    );
    expect(UPSTREAM_MESSAGES.qcow2WriteFailed()).toBe("Can't write qcow2 on disk.");
    expect(
      explainUpstreamMessage('Could not download image located: http://a.b/c.d.raw.').values,
    ).toEqual({ url: 'http://a.b/c.d.raw' });
  });
});

describe("today's guide", () => {
  it('reads the download failure with its reason', () => {
    const message = UPSTREAM_MESSAGES.downloadFailed('The requested URL returned error: 401');
    expect(message).toBe('Could not download image: The requested URL returned error: 401');
    const entry = explainUpstreamMessage(message);
    expect(entry.code).toBe('DOWNLOAD_FAILED');
    expect(entry.values).toEqual({ error: 'The requested URL returned error: 401' });
    expect(entry.meaning).toContain('wants credentials');
  });

  it("says one thing for the image host's 401: give the credentials as an HTTP header", () => {
    const entry = explainUpstreamMessage(
      UPSTREAM_MESSAGES.downloadFailed('The requested URL returned error: 401'),
    );
    expect(entry.meaning).toBe(
      "OVH's installer reached the image host, which answered 401: it wants credentials, and OVH sends them only as the HTTP headers given with the install. The server was not changed by the download attempt.",
    );
    expect(entry.remedy).toBe(
      "Give the credentials as an HTTP header (e.g. name Authorization, value Basic <base64 of user:password> or Bearer <token>), or use a signed link that has not expired. Check from a machine outside your network that `curl -fI -H 'Authorization: …' <image URL>` answers 200.",
    );
    // Not the advice for an unreachable host, which would contradict it.
    expect(entry.remedy).not.toMatch(/without a login/);
    const unreachable = explainUpstreamMessage(
      UPSTREAM_MESSAGES.downloadFailed('Could not resolve host: images.example.com'),
    );
    expect(unreachable.remedy).not.toMatch(/without a login/);
    expect(unreachable.remedy).toContain('it must answer 200');
  });

  it('reads the write failure for either type', () => {
    for (const type of ['qcow2', 'raw']) {
      const entry = explainUpstreamMessage(UPSTREAM_MESSAGES.writeFailed(type));
      expect(entry).toMatchObject({ code: 'WRITE_FAILED', values: { imageType: type } });
      expect(entry.remedy).toContain('qemu-img');
    }
  });

  it.each([
    [UPSTREAM_MESSAGES.checksumPair(), 'CHECKSUM_PAIR'],
    [UPSTREAM_MESSAGES.notQcow2('raw'), 'NOT_QCOW2'],
    [UPSTREAM_MESSAGES.rawNoPartitionTable('data'), 'RAW_NO_PARTITION_TABLE'],
    [UPSTREAM_MESSAGES.imageLargerThanDisk(2e9, '/dev/sda', 16e6), 'IMAGE_LARGER_THAN_DISK'],
  ])('%s', (message, code) => {
    expect(explainUpstreamMessage(message).code).toBe(code);
  });

  it('writes disk sizes as sold in the explanation', () => {
    const entry = explainUpstreamMessage(
      UPSTREAM_MESSAGES.imageLargerThanDisk(64 * 1024 ** 3, '/dev/sda', 16_000_000),
    );
    expect(entry.meaning).toBe(
      'The image needs 64.0 GiB (68719476736 bytes) once written, but /dev/sda holds only 16.0 MB (16000000 bytes).',
    );
  });
});

describe('every definition', () => {
  it.each(CATALOG.map((d) => [d.code, d] as const))('%s reads its own examples', (code, d) => {
    for (const example of [d.example, d.seedExample].filter((e) => e !== undefined)) {
      expect(explainUpstreamMessage(example).code).toBe(code);
      // Inside a longer text too (a task comment, a log line).
      expect(explainUpstreamMessage(`Task failed: ${example} (step 4)`).code).toBe(code);
    }
  });

  it('keeps an unknown message as it is', () => {
    const entry = explainUpstreamMessage('Something new happened');
    expect(entry).toMatchObject({ code: UNKNOWN_CODE, message: 'Something new happened' });
  });
});
