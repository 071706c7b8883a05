import type { PreflightReport } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

const CONFIGURE = `/servers/${SN}/install/configure`;
const PREFLIGHT = `POST /api/servers/${SN}/preflight`;
const VERIFY = `POST /api/servers/${SN}/preflight/verify`;
const MIB = 1024 ** 2;
const TOO_BIG = 'Could not download, qcow2 image is too big to download in memory.';

afterEach(() => {
  vi.unstubAllGlobals();
});

const report: PreflightReport = {
  serverName: SN,
  verdict: 'fail',
  checkedAt: '2026-11-26T01:30:00.000Z',
  predictedMessage: TOO_BIG,
  checks: [
    {
      id: 'reachability',
      status: 'pass',
      title: 'Reachable',
      sentence: 'The image answered 200 with 40 GiB and supports range requests.',
    },
    {
      id: 'size',
      status: 'fail',
      title: 'Fits in memory',
      sentence: 'The image is 40 GiB but this server can hold at most 29 GiB in memory.',
      predictedMessage: TOO_BIG,
      remedy: 'Shrink the image (qemu-img convert -c) or pick a server with more RAM.',
    },
    {
      id: 'bootMode',
      status: 'warn',
      title: 'Boot mode',
      sentence: 'The image has no EFI system partition but the server boots UEFI.',
    },
    {
      id: 'checksum',
      status: 'skipped',
      title: 'Checksum',
      sentence: 'No checksum given: nothing to compare.',
    },
  ],
  facts: {
    finalURL: 'https://images.example.com/big.qcow2',
    httpStatus: 200,
    contentLength: 40 * 1024 ** 3,
    acceptRanges: true,
    detectedType: 'qcow2',
    description: 'QEMU QCOW2 Image (v3)',
    virtualSizeBytes: 50 * 1024 ** 3,
    partitionTable: null,
    uefiCapable: null,
    legacyCapable: null,
  },
  esp: null,
};

async function openFilledForm() {
  const app = renderApp(CONFIGURE);
  await screen.findByLabelText('Image URL');
  await app.user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/big.qcow2');
  await app.user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
  return app;
}

/** A text/event-stream answer the test writes to event by event. */
function sseStream(call: RecordedCall) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  call.signal?.addEventListener('abort', () =>
    controller.error(new DOMException('The operation was aborted.', 'AbortError')),
  );
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }),
    send(event: string, data: unknown) {
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    close() {
      controller.close();
    },
  };
}

describe('image check panel', () => {
  it('shows each check with its verdict, sentence, predicted message and remedy', async () => {
    const { calls } = mockApi({ [PREFLIGHT]: () => ({ body: report }) });
    const { user } = await openFilledForm();
    const panel = screen.getByRole('region', { name: 'Image check' });
    await user.click(within(panel).getByRole('button', { name: 'Check image' }));

    const list = await within(panel).findByRole('list', { name: 'Image checks' });
    const items = within(list).getAllByRole('listitem');
    expect(
      items.map((item) => within(item).getByText(/^(Pass|Fail|Warning|Skipped)$/).textContent),
    ).toEqual(['Pass', 'Fail', 'Warning', 'Skipped']);
    expect(items[1]).toHaveTextContent(
      'The image is 40 GiB but this server can hold at most 29 GiB',
    );
    expect(items[1]).toHaveTextContent(`OVH would answer: ${TOO_BIG}`);
    expect(items[1]).toHaveTextContent('How to fix it: Shrink the image');
    expect(within(panel).getByText(/The image would fail: 1 check failed/)).toBeInTheDocument();
    expect(within(panel).getByText('QEMU QCOW2 Image (v3)')).toBeInTheDocument();

    const verdict = screen.getByRole('status', { name: 'Last image check' });
    expect(verdict).toHaveTextContent('Image check failed');
    expect(verdict).toHaveTextContent(TOO_BIG);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      imageURL: 'https://images.example.com/big.qcow2',
      imageType: 'qcow2',
      // The server's current path, which the form starts with, is checked against the image.
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    });

    // Another image makes the verdict out of date instead of quietly wrong.
    await user.type(screen.getByLabelText('Image URL'), '2');
    expect(verdict).toHaveTextContent(
      'No image check was run for the image as now typed: the last one was about another image (https://images.example.com/big.qcow2)',
    );
  });

  it("lists the image's EFI files and takes the suggested bootloader in one click, checking again", async () => {
    const missing = '\\efi\\debian\\grubx64.efi';
    const found: PreflightReport = {
      ...report,
      verdict: 'fail',
      predictedMessage: undefined,
      checks: [
        {
          id: 'efiBootloader',
          status: 'fail',
          title: 'EFI bootloader',
          sentence: `${missing} is not in the image's EFI system partition.`,
        },
      ],
      esp: {
        status: 'found',
        partition: { index: 1, offsetBytes: MIB, sizeBytes: 2 * MIB },
        fatType: 'FAT12',
        efiFiles: ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\ubuntu\\shimx64.efi'],
        truncated: false,
        suggestion: '\\EFI\\ubuntu\\shimx64.efi',
        problem: null,
      },
    };
    const { calls } = mockApi({ [PREFLIGHT]: () => ({ body: found }) });
    const { user } = await openFilledForm();
    const panel = screen.getByRole('region', { name: 'Image check' });
    await user.click(within(panel).getByRole('button', { name: 'Check image' }));
    const files = await within(panel).findByRole('list', { name: 'EFI files in the image' });
    expect(
      within(files)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\ubuntu\\shimx64.efi']);
    await user.click(within(panel).getByRole('button', { name: 'Use \\EFI\\ubuntu\\shimx64.efi' }));
    expect(screen.getByLabelText('EFI bootloader path')).toHaveValue('\\EFI\\ubuntu\\shimx64.efi');
    await waitFor(() => expect(calls.filter((c) => c.path.endsWith('/preflight'))).toHaveLength(2));
    expect(calls.filter((c) => c.path.endsWith('/preflight'))[1]?.body).toMatchObject({
      efiBootloaderPath: '\\EFI\\ubuntu\\shimx64.efi',
    });
  });

  it('asks for the image fields first and sends nothing', async () => {
    const { calls } = mockApi();
    const { user } = renderApp(CONFIGURE);
    await user.click(await screen.findByRole('button', { name: 'Check image' }));
    expect(
      await screen.findByText('Fix the image fields marked in red first.'),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('Image URL')).toHaveFocus());
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('fills checksum and type from a checksum file and says which line matched', async () => {
    const line = `${'d'.repeat(64)}  big.qcow2`;
    const { calls } = mockApi({
      [PREFLIGHT]: () => ({
        body: {
          ...report,
          verdict: 'pass',
          predictedMessage: undefined,
          checks: [report.checks[0]],
          resolvedChecksum: { checksum: 'd'.repeat(64), type: 'sha256', matchedLine: line },
        },
      }),
    });
    const { user } = await openFilledForm();
    await user.type(
      screen.getByLabelText('Checksum file URL'),
      'https://images.example.com/SHA256SUMS',
    );
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await screen.findByText(/filled from the checksum file/);
    expect(
      screen.getByText(
        (_, element) => element?.className === 'verbatim' && element.textContent === line,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/filled from the checksum file \(sha256\)/)).toBeInTheDocument();
    expect(screen.getByLabelText('Image checksum')).toHaveValue('d'.repeat(64));
    expect(screen.getByLabelText('Checksum type')).toHaveValue('sha256');
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      checksumFileURL: 'https://images.example.com/SHA256SUMS',
    });
    expect(screen.getByRole('status', { name: 'Last image check' })).toHaveTextContent(
      'Image check passed',
    );
  });

  it('refuses a checksum file URL that is not http(s)', async () => {
    const { calls } = mockApi();
    const { user } = await openFilledForm();
    const field = screen.getByLabelText('Checksum file URL');
    await user.type(field, 'ftp://x/SHA256SUMS');
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await waitFor(() =>
      expect(field).toHaveAccessibleDescription(/must be an http:\/\/ or https:\/\//),
    );
    expect(field).toHaveFocus();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('streams the verification: bytes, rate, ETA and a bar, then the verdict', async () => {
    let stream: ReturnType<typeof sseStream> | undefined;
    const { calls } = mockApi({
      [VERIFY]: (call) => {
        stream = sseStream(call);
        return { response: stream.response };
      },
    });
    const { user } = await openFilledForm();
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('e'.repeat(64));
    await user.click(screen.getByRole('button', { name: 'Verify checksum' }));
    await waitFor(() => expect(stream).toBeDefined());
    expect(
      within(screen.getByRole('region', { name: 'Image check' })).getByRole('button', {
        name: 'Cancel',
      }),
    ).toBeInTheDocument();

    stream!.send('progress', {
      bytes: MIB,
      totalBytes: 4 * MIB,
      bytesPerSecond: MIB,
      etaSeconds: 3,
    });
    expect(
      await screen.findByText('1.0 MiB of 4.0 MiB · 1.0 MiB/s · about 0:03 left'),
    ).toBeInTheDocument();
    const bar = screen.getByLabelText('Checksum verification progress');
    expect(bar).toHaveAttribute('value', String(MIB));
    expect(bar).toHaveAttribute('max', String(4 * MIB));

    stream!.send('result', {
      match: false,
      algorithm: 'sha256',
      expected: 'e'.repeat(64),
      actual: 'f'.repeat(64),
      bytes: 4 * MIB,
      predictedMessage: `Bad sha256 for downloaded file, got: ${'f'.repeat(64)} while expecting ${'e'.repeat(64)}.`,
      remedy: 'Copy the checksum again from the place that published the image.',
    });
    stream!.close();
    expect(await screen.findByText('The sha256 checksum does not match.')).toBeInTheDocument();
    expect(screen.getByText(/Copy the checksum again/)).toBeInTheDocument();
    // Verify alone is a verdict: its Checksum row, and the failure beside Confirm.
    const rows = within(screen.getByRole('list', { name: 'Image checks' })).getAllByRole(
      'listitem',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent(/^FailChecksum/);
    expect(
      within(screen.getByRole('region', { name: 'Image check' })).queryByRole('button', {
        name: 'Cancel',
      }),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('status', { name: 'Last image check' })).toHaveTextContent(
      `Image check failed The image would fail: 1 check failed. Fix it before you confirm, or the server is wiped for nothing. OVH would answer: Bad sha256 for downloaded file, got: ${'f'.repeat(64)}`,
    );

    // Another image: the verdict about the previous one is folded away instead of misleading.
    await user.type(screen.getByLabelText('Image URL'), '2');
    expect(screen.queryByText('The sha256 checksum does not match.')).not.toBeInTheDocument();
    expect(screen.getByText(/Verify checksum: about another image/)).toBeInTheDocument();

    const verify = calls.find((c) => c.path.endsWith('/preflight/verify'));
    expect(verify?.headers.Accept).toBe('text/event-stream');
    expect(verify?.body).toEqual({
      imageURL: 'https://images.example.com/big.qcow2',
      imageType: 'qcow2',
      imageCheckSum: 'e'.repeat(64),
      imageCheckSumType: 'sha256',
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    });
  });

  it('cancels a running verification by aborting the request', async () => {
    let signal: AbortSignal | undefined;
    mockApi({
      [VERIFY]: (call) => {
        signal = call.signal;
        return { response: sseStream(call).response };
      },
    });
    const { user } = await openFilledForm();
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('e'.repeat(64));
    await user.click(screen.getByRole('button', { name: 'Verify checksum' }));
    await user.click(
      await within(screen.getByRole('region', { name: 'Image check' })).findByRole('button', {
        name: 'Cancel',
      }),
    );
    expect(await screen.findByText(/Verification cancelled/)).toBeInTheDocument();
    expect(signal?.aborted).toBe(true);
    expect(screen.getByRole('button', { name: 'Verify checksum' })).toBeEnabled();
  });

  it('says why a verification could not run, with the message OVH would give', async () => {
    mockApi({
      [VERIFY]: (call) => {
        const stream = sseStream(call);
        stream.send('error', {
          code: 'DOWNLOAD_FAILED',
          message: 'The image host answered 404 Not Found.',
          predictedMessage:
            'Could not download image located: https://images.example.com/big.qcow2.',
          remedy: 'Check the URL in a browser.',
        });
        stream.close();
        return { response: stream.response };
      },
    });
    const { user } = await openFilledForm();
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('e'.repeat(64));
    await user.click(screen.getByRole('button', { name: 'Verify checksum' }));
    const alert = await screen.findByText('The checksum could not be verified.');
    expect(alert.parentElement).toHaveTextContent('The image host answered 404 Not Found.');
    expect(alert.parentElement).toHaveTextContent('Could not download image located:');
  });

  it('needs a checksum or a checksum file to verify against', async () => {
    const { calls } = mockApi();
    const { user } = await openFilledForm();
    await user.click(screen.getByRole('button', { name: 'Verify checksum' }));
    expect(
      await screen.findByText(/Enter an Image checksum \(or a Checksum file URL\)/),
    ).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

const passing: PreflightReport = {
  ...report,
  verdict: 'pass',
  predictedMessage: undefined,
  checks: [
    report.checks[0]!,
    {
      id: 'checksum',
      status: 'pass',
      title: 'Checksum',
      sentence: 'A well-formed sha256 checksum. Use Verify checksum to download the image once.',
    },
  ],
};
const BAD_SHA = `Bad sha256 for downloaded file, got: ${'f'.repeat(64)} while expecting ${'e'.repeat(64)}.`;

describe('one verdict from every check', () => {
  it('fails after a Verify mismatch: the Checksum row says Fail and no "passed" text remains', async () => {
    mockApi({
      [PREFLIGHT]: () => ({ body: passing }),
      [VERIFY]: (call) => {
        const stream = sseStream(call);
        stream.send('result', {
          match: false,
          algorithm: 'sha256',
          expected: 'e'.repeat(64),
          actual: 'f'.repeat(64),
          bytes: 4 * MIB,
          predictedMessage: BAD_SHA,
          remedy: 'Copy the checksum again with `sha256sum big.qcow2`.',
        });
        stream.close();
        return { response: stream.response };
      },
    });
    const { user } = await openFilledForm();
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('e'.repeat(64));
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    const verdict = screen.getByRole('status', { name: 'Last image check' });
    await waitFor(() => expect(verdict).toHaveTextContent('Image check passed'));

    await user.click(screen.getByRole('button', { name: 'Verify checksum' }));
    await screen.findByText('The sha256 checksum does not match.');
    const list = screen.getByRole('list', { name: 'Image checks' });
    const checksum = within(list)
      .getAllByRole('listitem')
      .find((item) => within(item).queryByText('Checksum'));
    expect(within(checksum!).getByText('Fail')).toBeInTheDocument();
    expect(checksum).toHaveTextContent(`OVH would answer: ${BAD_SHA}`);
    // The remedy's command reads as code.
    expect(within(checksum!).getByText('sha256sum big.qcow2').tagName).toBe('CODE');
    expect(verdict).toHaveTextContent('Image check failed');
    expect(verdict).not.toHaveTextContent(/passed/i);
    expect(document.body.textContent).not.toMatch(/passed/i);
    expect(
      screen.getByRole('checkbox', {
        name: `Install anyway: OVH will most likely answer “${BAD_SHA}”`,
      }),
    ).not.toBeChecked();
  });

  it("after a checksum file: passes for the filled checksum, or fails in the check's own words", async () => {
    const line = `${'d'.repeat(64)}  big.qcow2`;
    let answer: PreflightReport = {
      ...passing,
      checks: [
        report.checks[0]!,
        {
          id: 'checksumFile',
          status: 'pass',
          title: 'Checksum file',
          sentence: `Found the sha256 checksum of big.qcow2 in the checksum file, on the line: ${line}`,
        },
      ],
      resolvedChecksum: { checksum: 'd'.repeat(64), type: 'sha256', matchedLine: line },
    };
    mockApi({ [PREFLIGHT]: () => ({ body: answer }) });
    const { user } = await openFilledForm();
    await user.type(
      screen.getByLabelText('Checksum file URL'),
      'https://images.example.com/SHA256SUMS',
    );
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await screen.findByText(/filled from the checksum file/);
    const verdict = screen.getByRole('status', { name: 'Last image check' });
    // The checksum it filled in does not make its own report out of date.
    expect(verdict).toHaveTextContent('Image check passed Every check passed');
    expect(screen.queryByText('Out of date')).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();

    answer = {
      ...passing,
      verdict: 'fail',
      checks: [
        report.checks[0]!,
        {
          id: 'checksumFile',
          status: 'fail',
          title: 'Checksum file',
          sentence: 'No line of the checksum file names big.qcow2.',
          remedy: 'Check that the file lists big.qcow2 (as `<checksum>  big.qcow2`).',
        },
      ],
    };
    await user.clear(screen.getByLabelText('Checksum file URL'));
    await user.type(
      screen.getByLabelText('Checksum file URL'),
      'https://images.example.com/MD5SUMS',
    );
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await waitFor(() => expect(verdict).toHaveTextContent('Image check failed'));
    expect(
      screen.getByRole('checkbox', {
        name: 'Install anyway, although the Checksum file check failed: “No line of the checksum file names big.qcow2.”',
      }),
    ).toBeInTheDocument();
    // Whitespace is collapsed by the matcher: the code span keeps the file's two spaces.
    expect(screen.getByText('<checksum> big.qcow2').tagName).toBe('CODE');
  });

  it('folds a report away once an image field changes, marked as about another image', async () => {
    mockApi({ [PREFLIGHT]: () => ({ body: report }) });
    const { user } = await openFilledForm();
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await screen.findByRole('list', { name: 'Image checks' });

    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('e'.repeat(64));
    expect(screen.queryByRole('list', { name: 'Image checks' })).not.toBeInTheDocument();
    expect(screen.queryByText(/The image would fail/)).not.toBeInTheDocument();
    const summary = screen.getByText(/Check image: about another image/);
    expect(summary).toHaveTextContent(
      'Out of date Check image: about another image (https://images.example.com/big.qcow2)',
    );
    const details = summary.closest('details');
    expect(details).not.toHaveAttribute('open');
    expect(details).toHaveTextContent('Changed since: Image checksum, Checksum type.');
    expect(screen.getByRole('status', { name: 'Last image check' })).toHaveTextContent(
      'Not checked No image check was run for the image as now typed',
    );
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();

    // The EFI path is an image field too.
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await screen.findByRole('list', { name: 'Image checks' });
    await user.type(screen.getByLabelText('EFI bootloader path'), 'x');
    expect(screen.queryByRole('list', { name: 'Image checks' })).not.toBeInTheDocument();
    expect(
      screen.getByText(/Check image: about another image/).closest('details'),
    ).toHaveTextContent('Changed since: EFI bootloader path.');
  });
});
