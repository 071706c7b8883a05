/**
 * The preflight through the real app: sign-in, roles and server scopes, validation, the report, the
 * checksum verification stream and its cancellation — and, for every image failure of DESIGN.md's
 * table, the proof that the predicted message is exactly what the simulator's real install ends
 * with when the same image is then installed on the same server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import {
  DEFAULT_SERVER,
  LEGACY_SERVER,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
} from '@byoi/ovh-simulator';
import {
  UPSTREAM_MESSAGES,
  type InstallProgressDto,
  type PreflightProgressEvent,
  type PreflightReport,
  type PreflightVerifyResult,
} from '@byoi/shared';
import { CSRF_COOKIE, SESSION_COOKIE } from '../auth/cookies.ts';
import { eventually, fieldsInError, startHarness, type Harness } from '../testing/harness.ts';
import {
  OPERATOR,
  SCOPED_OPERATOR,
  VIEWER,
  cookieValue,
  type TestAgent,
} from '../testing/users.ts';

/** The bootloader the kit's images hold (OVH requires the path on the default, reinstall route). */
const EFI = '\\efi\\debian\\grubx64.efi';

let h: Harness;
let kit: ImageKit;
let images: ImageServer;
let operator: TestAgent;

beforeAll(async () => {
  [h, kit] = await Promise.all([startHarness(), ensureImages()]);
  images = await startImageServer({ dir: kit.dir });
  operator = await h.signIn(OPERATOR);
}, 300_000);
afterAll(async () => {
  await images.close();
  await h.close();
});
beforeEach(() => {
  h.sim.admin.reset();
  images.reset();
});

const url = (name: keyof ImageKit['images'], prefix = '/images') =>
  `${images.url}${prefix}/${kit.images[name].file}`;

function parseEvents(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.+)$/m.exec(block)?.[1] ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}

async function finalProgress(sn: string): Promise<InstallProgressDto> {
  return eventually(async () => {
    const res = await operator.get(`/api/servers/${sn}/install`);
    const body = res.body as InstallProgressDto;
    return body.state === 'running' ? undefined : body;
  }, 30_000);
}

describe('who may check an image', () => {
  const body = () => ({ imageURL: url('raw-gpt'), imageType: 'raw' });

  it('needs a session', async () => {
    const res = await h.anonymous().post(`/api/servers/${DEFAULT_SERVER}/preflight`).send(body());
    expect(res.status).toBe(401);
    expect(images.requests).toHaveLength(0);
  });

  it('needs the operator role', async () => {
    const viewer = await h.signIn(VIEWER);
    for (const path of ['preflight', 'preflight/verify']) {
      const res = await viewer.post(`/api/servers/${DEFAULT_SERVER}/${path}`).send(body());
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(images.requests).toHaveLength(0);
  });

  it('answers 404 for a server outside the operator’s patterns, and for an unknown one', async () => {
    const scoped = await h.signIn(SCOPED_OPERATOR);
    const hidden = await scoped.post(`/api/servers/${LEGACY_SERVER}/preflight`).send(body());
    expect(hidden.status).toBe(404);
    const missing = await operator.post('/api/servers/ns-nope.example/preflight').send(body());
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('ns-nope.example');
    expect(images.requests).toHaveLength(0);
  });

  it('needs the CSRF header like every other change', async () => {
    const res = await h
      .anonymous()
      .post(`/api/servers/${DEFAULT_SERVER}/preflight`)
      .set('Cookie', `${SESSION_COOKIE}=forged`)
      .send(body());
    expect([401, 403]).toContain(res.status);
    expect(images.requests).toHaveLength(0);
  });
});

describe('POST /api/servers/:sn/preflight', () => {
  it('refuses a bad form with the field and fetches nothing', async () => {
    const res = await operator
      .post(`/api/servers/${DEFAULT_SERVER}/preflight`)
      .send({ imageURL: 'ftp://images.example/x.img', imageType: 'vmdk', checksumFileURL: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(fieldsInError(res.body).sort()).toEqual(['checksumFileURL', 'imageType', 'imageURL']);
    expect(res.body.error.message).toContain('nothing was fetched');
    expect(images.requests).toHaveLength(0);
  });

  it('refuses duplicate header names', async () => {
    const res = await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
      imageURL: url('raw-gpt'),
      imageType: 'raw',
      httpHeaders: [
        { name: 'Authorization', value: 'a' },
        { name: 'authorization', value: 'b' },
      ],
    });
    expect(res.status).toBe(400);
    expect(fieldsInError(res.body)).toEqual(['httpHeaders.1.name']);
  });

  it("reports on the image with the server's real hardware, and never shows, logs or audits a header value", async () => {
    const res = await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
      imageURL: url('raw-gpt', '/auth/images'),
      imageType: 'raw',
      httpHeaders: [{ name: 'Authorization', value: images.authorization }],
      efiBootloaderPath: EFI,
      // The web form sends the whole form: the fields the check does not use are ignored.
      customHostname: 'web-01',
    });
    expect(res.status).toBe(200);
    const report = res.body as PreflightReport;
    expect(report.serverName).toBe(DEFAULT_SERVER);
    expect(report.verdict).toBe('pass');
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['reachability', 'pass'],
      ['size', 'pass'],
      ['checksum', 'skipped'],
      ['format', 'pass'],
      ['bootMode', 'pass'],
      ['efiBootloader', 'pass'],
    ]);
    // The hardware came from the simulator, through node-ovh.
    expect(Object.keys(h.sim.admin.calls())).toContain(
      'GET /dedicated/server/ns1234567.ip-51-91-0.eu/specifications/hardware',
    );
    const secret = images.authorization.slice('Basic '.length);
    expect(JSON.stringify(res.body)).not.toContain(secret);
    expect(h.logLines.join('\n')).not.toContain(secret);
    await h.audit.flush();
    const [entry] = await h.audit.recent(1);
    expect(entry).toMatchObject({ event: 'preflight', outcome: 'success', server: DEFAULT_SERVER });
    expect(JSON.stringify(entry)).not.toContain(secret);
  });

  it('fills checksum and type from a checksum file', async () => {
    const image = kit.images['raw-gpt'];
    const res = await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
      imageURL: url('raw-gpt'),
      imageType: 'raw',
      checksumFileURL: `${images.url}/sums/SHA256SUMS`,
    });
    expect((res.body as PreflightReport).resolvedChecksum).toEqual({
      checksum: image.sha256,
      type: 'sha256',
      matchedLine: `${image.sha256}  ${image.file}`,
    });
  });
});

describe('the prediction is what the simulator then says', () => {
  const cases: { name: string; server: string; form: () => Record<string, unknown> }[] = [
    {
      name: 'HTTP 404',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: `${images.url}/status/404`, imageType: 'raw' }),
    },
    {
      name: '401 without header',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-gpt', '/auth/images'), imageType: 'raw' }),
    },
    {
      name: 'more than 5 redirects',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-gpt', '/redirect/6/images'), imageType: 'raw' }),
    },
    {
      name: 'dropped connection',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: `${images.url}/drop`, imageType: 'raw' }),
    },
    {
      name: 'larger than RAM − 3 GiB',
      server: SMALL_RAM_SERVER,
      form: () => ({ imageURL: url('raw-2g-sparse'), imageType: 'raw' }),
    },
    {
      name: 'ISO',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('iso'), imageType: 'raw' }),
    },
    {
      name: 'hybrid ISO',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('iso-hybrid'), imageType: 'raw' }),
    },
    {
      name: 'xz',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('xz'), imageType: 'qcow2' }),
    },
    {
      name: 'HTML page with 200',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: `${images.url}/html`, imageType: 'qcow2' }),
    },
    {
      name: 'raw declared qcow2',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-gpt'), imageType: 'qcow2' }),
    },
    {
      name: 'data declared qcow2',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-nopt'), imageType: 'qcow2' }),
    },
    {
      name: 'qcow2 declared raw',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('qcow2'), imageType: 'raw' }),
    },
    {
      name: 'data declared raw',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-nopt'), imageType: 'raw' }),
    },
    {
      name: 'qcow2 virtual size over the disk',
      server: SMALL_DISK_SERVER,
      form: () => ({ imageURL: url('qcow2-big-virtual'), imageType: 'qcow2' }),
    },
    {
      name: 'raw over the disk',
      server: SMALL_DISK_SERVER,
      form: () => ({ imageURL: url('raw-2g-sparse'), imageType: 'raw' }),
    },
    {
      name: 'qcow2 with a backing file',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('qcow2-backing'), imageType: 'qcow2' }),
    },
    {
      name: 'encrypted qcow2',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('qcow2-encrypted'), imageType: 'qcow2' }),
    },
    {
      name: 'corrupt qcow2',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('qcow2-corrupt'), imageType: 'qcow2' }),
    },
    {
      name: 'corrupt GPT',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-gpt-corrupt'), imageType: 'raw' }),
    },
  ];

  it.each(cases)(
    '$name',
    async ({ server, form }) => {
      const check = await operator.post(`/api/servers/${server}/preflight`).send(form());
      expect(check.status).toBe(200);
      const report = check.body as PreflightReport;
      expect(report.verdict).toBe('fail');
      expect(report.predictedMessage).toBeDefined();

      const install = await operator
        .post(`/api/servers/${server}/install`)
        .send({ ...form(), efiBootloaderPath: EFI });
      expect(install.status).toBe(202);
      const final = await finalProgress(server);
      expect(final.state).toBe('failed');
      expect(final.failure?.message).toBe(report.predictedMessage);
      // The simulator downloads the whole image (2 GiB for "raw over the disk") before it decides.
    },
    60_000,
  );

  it('a passing image installs', async () => {
    const form = { imageURL: url('qcow2-compressed'), imageType: 'qcow2', efiBootloaderPath: EFI };
    const report = (await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send(form))
      .body as PreflightReport;
    expect(report.verdict).toBe('pass');
    expect(report.predictedMessage).toBeUndefined();
    await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send(form).expect(202);
    expect((await finalProgress(DEFAULT_SERVER)).state).toBe('done');
  });

  it('a checksum mismatch found by Verify checksum', async () => {
    const image = kit.images['raw-mbr'];
    const form = {
      imageURL: url('raw-mbr'),
      imageType: 'raw',
      imageCheckSum: kit.images['raw-gpt'].sha1,
      imageCheckSumType: 'sha1',
      efiBootloaderPath: EFI,
    };
    const res = await operator
      .post(`/api/servers/${LEGACY_SERVER}/preflight/verify`)
      .send(form)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = parseEvents(res.body as string);
    const last = events.at(-1);
    expect(last?.event).toBe('result');
    const result = last?.data as PreflightVerifyResult;
    expect(result).toMatchObject({ match: false, actual: image.sha1, bytes: image.size });
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThan(0);

    await operator.post(`/api/servers/${LEGACY_SERVER}/install`).send(form).expect(202);
    const final = await finalProgress(LEGACY_SERVER);
    expect(final.failure?.message).toBe(result.predictedMessage);
    expect(result.predictedMessage).toBe(
      UPSTREAM_MESSAGES.checksumMismatch('sha1', image.sha1, kit.images['raw-gpt'].sha1),
    );
  });
});

describe('POST /api/servers/:sn/preflight/verify', () => {
  it('refuses a request with nothing to compare with, before streaming', async () => {
    const res = await operator
      .post(`/api/servers/${DEFAULT_SERVER}/preflight/verify`)
      .send({ imageURL: url('raw-gpt'), imageType: 'raw' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(images.requests).toHaveLength(0);
  });

  it('streams an error event for a download that fails', async () => {
    const res = await operator
      .post(`/api/servers/${DEFAULT_SERVER}/preflight/verify`)
      .send({
        imageURL: `${images.url}/status/500`,
        imageType: 'raw',
        imageCheckSum: 'a'.repeat(32),
        imageCheckSumType: 'md5',
      })
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => done(null, text));
      });
    expect(parseEvents(res.body as string)).toEqual([
      {
        event: 'error',
        data: expect.objectContaining({
          code: 'DOWNLOAD_FAILED',
          predictedMessage: UPSTREAM_MESSAGES.downloadFailed(
            'The requested URL returned error: 500',
          ),
        }) as unknown,
      },
    ]);
  });

  /** The app on a real port, signed in through fetch: what a browser's aborted fetch does. */
  async function browser() {
    const server = http.createServer(h.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const signIn = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ username: OPERATOR.username, password: OPERATOR.password }),
    });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.getSetCookie();
    const session = encodeURIComponent(cookieValue(setCookie, SESSION_COOKIE) ?? '');
    const csrf = cookieValue(setCookie, CSRF_COOKIE) ?? '';
    return {
      /** Starts a verification of the slow raw-gpt and waits for its first progress event. */
      async startVerify() {
        const controller = new AbortController();
        const res = await fetch(`${base}/api/servers/${DEFAULT_SERVER}/preflight/verify`, {
          method: 'POST',
          signal: controller.signal,
          headers: {
            'content-type': 'application/json',
            origin: base,
            'x-csrf-token': csrf,
            cookie: `${SESSION_COOKIE}=${session}; ${CSRF_COOKIE}=${encodeURIComponent(csrf)}`,
          },
          body: JSON.stringify({
            imageURL: url('raw-gpt', '/slow/images'),
            imageType: 'raw',
            imageCheckSum: kit.images['raw-gpt'].sha256,
            imageCheckSumType: 'sha256',
          }),
        });
        if (res.status !== 200) return { status: res.status, abort: () => controller.abort() };
        const reader = res.body!.getReader();
        let text = '';
        while (!text.includes('event: progress')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString('utf8');
        }
        const first = parseEvents(text).find((e) => e.event === 'progress')
          ?.data as PreflightProgressEvent;
        return { status: res.status, first, abort: () => controller.abort() };
      },
      async close() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it('stops the download when the browser closes the connection', async () => {
    const b = await browser();
    try {
      const verify = await b.startVerify();
      expect(verify.status).toBe(200);
      expect(verify.first?.totalBytes).toBe(kit.images['raw-gpt'].size);
      verify.abort();

      const download = () => images.requests.find((r) => r.path.startsWith('/slow/'));
      // The BFF hangs up on the image host: its byte count stops growing, well short of the file.
      const stopped = await eventually(async () => {
        const before = download()?.bytes ?? 0;
        await new Promise((r) => setTimeout(r, 300));
        const after = download()?.bytes ?? 0;
        return after === before ? after : undefined;
      }, 5_000);
      expect(stopped).toBeLessThan(kit.images['raw-gpt'].size);
    } finally {
      await b.close();
    }
  });

  it('runs at most 2 verifications per user at once, and frees the place when one is closed', async () => {
    const b = await browser();
    try {
      const first = await b.startVerify();
      const second = await b.startVerify();
      expect([first.status, second.status]).toEqual([200, 200]);
      const third = await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight/verify`).send({
        imageURL: url('raw-gpt'),
        imageType: 'raw',
        imageCheckSum: 'a'.repeat(32),
        imageCheckSumType: 'md5',
      });
      expect(third.status).toBe(429);
      expect(third.body.error.message).toContain('2 checksum verifications running');
      first.abort();
      const again = await eventually(async () => {
        const next = await b.startVerify();
        if (next.status === 200) return next;
        next.abort();
        return undefined;
      }, 5_000);
      again.abort();
      second.abort();
    } finally {
      await b.close();
    }
  });
});
