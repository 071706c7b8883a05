/**
 * OVH's refusals at submit, through the real node-ovh signatures: HTTP 4xx with OVH's
 * `{ class, message }`, no task created and nothing downloaded. And the other side of each rule:
 * what the shared form accepts, the simulator accepts.
 */
import { readFileSync } from 'node:fs';
import { byoiFormSchemaFor } from '@byoi/shared';
import { ensureImages, startImageServer } from '@byoi/test-kit';
import type { ImageKit, ImageServer } from '@byoi/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ROUTES,
  client,
  installRequest,
  rawCall,
  startTrusted,
  waitForTask,
} from '../../test/helpers.ts';
import type { ByoiFields, OvhClient, TaskBody } from '../../test/helpers.ts';
import { DEFAULT_SERVER } from '../fixtures.ts';
import { TASK_FUNCTIONS } from '../ovh/routes.ts';
import type { Simulator } from '../simulator.ts';

let kit: ImageKit;
let images: ImageServer;
let sim: Simulator;
let c: OvhClient;
let closeSim: () => Promise<void>;

const EFI = '\\efi\\debian\\grubx64.efi';
const base = `/dedicated/server/${DEFAULT_SERVER}`;
const image = () => `${images.url}/images/${kit.images['raw-gpt'].file}`;

beforeAll(async () => {
  kit = await ensureImages();
  images = await startImageServer({ dir: kit.dir });
  ({ sim, close: closeSim } = await startTrusted({ clockSpeed: 1000 }));
  c = client(sim);
});

afterAll(async () => {
  await images.close();
  await closeSim();
});

beforeEach(() => {
  sim.admin.reset();
  images.reset();
});

/** A reinstall body for byoi_64 with the given customizations on top of valid ones. */
function reinstall(customizations: Record<string, unknown>): Record<string, unknown> {
  return {
    operatingSystem: 'byoi_64',
    customizations: {
      imageURL: image(),
      imageType: 'raw',
      efiBootloaderPath: EFI,
      ...customizations,
    },
  };
}

/** Posts the body and expects OVH's refusal; no task exists and no image byte was fetched. */
async function expectRefused(
  path: string,
  body: unknown,
  expected: { status?: number; class: string; message: string },
): Promise<void> {
  const answer = await rawCall(sim, 'POST', `${base}${path}`, { body });
  expect(answer.status).toBe(expected.status ?? 400);
  expect(answer.body).toEqual({ class: expected.class, message: expected.message });
  expect(await c.requestPromised('GET', `${base}/task`)).toEqual([]);
  expect(images.requests).toEqual([]);
}

async function expectAccepted(path: string, body: unknown): Promise<TaskBody> {
  const answer = await rawCall(sim, 'POST', `${base}${path}`, { body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return waitForTask(c, DEFAULT_SERVER, (answer.body as TaskBody).taskId);
}

describe('reinstall: a customization byoi_64 does not have → CustomizationName', () => {
  for (const [name, value] of [
    ['language', 'fr-fr'],
    ['postInstallationScript', 'IyEvYmluL3NoCg=='],
    ['foo', 'bar'],
  ] as const) {
    it(name, async () => {
      await expectRefused('/reinstall', reinstall({ [name]: value }), {
        class: 'Client::BadRequest::CustomizationName',
        message: `Customization ${name} doesn't exist for operating system byoi_64`,
      });
    });
  }

  it('is decided before the types and the mandatory fields', async () => {
    await expectRefused(
      '/reinstall',
      { operatingSystem: 'byoi_64', customizations: { imageURL: 1, foo: 'bar' } },
      {
        class: 'Client::BadRequest::CustomizationName',
        message: "Customization foo doesn't exist for operating system byoi_64",
      },
    );
  });
});

describe('reinstall: a customization of the wrong type → CustomizationInvalidFormat', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      'httpHeaders as a list',
      { httpHeaders: [{ name: 'Authorization', value: 'Basic x' }] },
      'httpHeaders of type map[string]string: expected an object of strings, got an array',
    ],
    [
      'a header value that is a number',
      { httpHeaders: { Authorization: 'Basic x', 'X-Retries': 3 } },
      'httpHeaders of type map[string]string: the value of X-Retries is a number, expected a string',
    ],
    [
      'configDriveMetadata as a string',
      { configDriveMetadata: 'role=web' },
      'configDriveMetadata of type map[string]string: expected an object of strings, got a string',
    ],
    [
      'a metadata value that is a boolean',
      { configDriveMetadata: { role: 'web', essential: false } },
      'configDriveMetadata of type map[string]string: the value of essential is a boolean, expected a string',
    ],
    [
      'an imageURL that is a number',
      { imageURL: 42 },
      'imageURL of type string: expected a string, got a number',
    ],
    [
      'user data as an object',
      { configDriveUserData: { text: '#!/bin/sh' } },
      'configDriveUserData of type string: expected a string, got an object',
    ],
    [
      'a hostname as a list',
      { hostname: ['web1'] },
      'hostname of type string: expected a string, got an array',
    ],
  ];
  for (const [what, customizations, detail] of cases) {
    it(what, async () => {
      await expectRefused('/reinstall', reinstall(customizations), {
        class: 'Client::BadRequest::CustomizationInvalidFormat',
        message: `Invalid customization format for ${detail}`,
      });
    });
  }

  it('never echoes a header value', async () => {
    const answer = await rawCall(sim, 'POST', `${base}/reinstall`, {
      body: reinstall({ httpHeaders: { Authorization: ['Bearer s3cret'] } }),
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).not.toContain('s3cret');
  });

  it('takes a null customization as absent', async () => {
    const task = await expectAccepted('/reinstall', reinstall({ sshKey: null, hostname: null }));
    expect(task.status).toBe('done');
    expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive).toBeNull();
  });
});

describe('byoi_64 requires imageURL, imageType and, on reinstall, efiBootloaderPath', () => {
  for (const name of ['imageURL', 'imageType', 'efiBootloaderPath'] as const) {
    it(`reinstall without ${name}`, async () => {
      const body = reinstall({});
      delete (body.customizations as Record<string, unknown>)[name];
      await expectRefused('/reinstall', body, {
        class: 'Client::BadRequest::CustomizationInvalidFormat',
        message: `Invalid customization format for ${name} of type string: ${name} is mandatory for operating system byoi_64`,
      });
    });
  }

  it('reinstall without customizations at all', async () => {
    await expectRefused(
      '/reinstall',
      { operatingSystem: 'byoi_64' },
      {
        class: 'Client::BadRequest::CustomizationInvalidFormat',
        message:
          'Invalid customization format for imageURL of type string: imageURL is mandatory for operating system byoi_64',
      },
    );
  });

  it('reinstall whose customizations is not an object', async () => {
    await expectRefused(
      '/reinstall',
      { operatingSystem: 'byoi_64', customizations: 'imageURL=x' },
      {
        class: 'Client::BadRequest',
        message:
          'Invalid customizations: expected an object (dedicated.server.reinstall.Customizations), got a string',
      },
    );
  });

  it('install/start without imageType', async () => {
    await expectRefused(
      '/install/start',
      { templateName: 'byoi_64', userMetadata: [{ key: 'imageURL', value: image() }] },
      {
        class: 'Client::BadRequest::CustomizationInvalidFormat',
        message:
          'Invalid customization format for imageType of type string: imageType is mandatory for operating system byoi_64',
      },
    );
  });
});

describe('hostname → HostnameInvalidFormat / HostnameSizeExceeded', () => {
  const invalid = (label: string) =>
    `Invalid hostname ${label}; must contain no more than 63 characters, start with a letter, end with a letter or a digit and contain only letters, digits and hyphens, see RFC 1035, section 2.3.1`;
  const cases: Array<[string, string]> = [
    ['1web.example.com', '1web'],
    ['web.2024.example.com', '2024'],
    ['-web.example.com', '-web'],
    ['web-.example.com', 'web-'],
    ['web_1.example.com', 'web_1'],
    ['web..example.com', ''],
    [`${'a'.repeat(64)}.example.com`, 'a'.repeat(64)],
  ];
  for (const route of ROUTES) {
    for (const [hostname, label] of cases) {
      it(`${route}: ${hostname.slice(0, 30)}`, async () => {
        const request = installRequest(route, { imageURL: image(), imageType: 'raw', hostname });
        await expectRefused(request.path, request.body, {
          class: 'Client::BadRequest::HostnameInvalidFormat',
          message: invalid(label),
        });
      });
    }
  }

  it('a name over 253 characters', async () => {
    const hostname = Array.from({ length: 4 }, () => 'a'.repeat(63))
      .join('.')
      .slice(0, 254);
    await expectRefused('/reinstall', reinstall({ hostname }), {
      class: 'Client::BadRequest::HostnameSizeExceeded',
      message:
        'Hostname provided is 254 length. It shall not be longer than 253 characters, see RFC 1035, section 2.3.4',
    });
  });

  it('applies to OVH templates too', async () => {
    await expectRefused(
      '/reinstall',
      { operatingSystem: 'debian12_64', customizations: { hostname: '1web' } },
      { class: 'Client::BadRequest::HostnameInvalidFormat', message: invalid('1web') },
    );
    await expectRefused(
      '/install/start',
      { templateName: 'debian12_64', details: { customHostname: 'web-' } },
      { class: 'Client::BadRequest::HostnameInvalidFormat', message: invalid('web-') },
    );
  });

  it('accepts exactly the hostnames the form accepts', async () => {
    const hostnames = [
      'mon-tux',
      'myCustomBYOI',
      'web-1.example.com',
      'a.b2.c--d',
      'a'.repeat(63),
      [...Array.from({ length: 3 }, () => 'a'.repeat(63)), 'a'.repeat(61)].join('.'),
      '1web',
      'web-',
      'we_b',
      'a..b',
      'a'.repeat(64),
      'a'.repeat(254),
    ];
    const form = byoiFormSchemaFor('reinstall');
    for (const hostname of hostnames) {
      const formAccepts = form.safeParse({
        imageURL: image(),
        imageType: 'raw',
        customHostname: hostname,
        efiBootloaderPath: EFI,
      }).success;
      // An OVH template: the hostname rule without downloading an image each time.
      const answer = await rawCall(sim, 'POST', `${base}/reinstall`, {
        body: { operatingSystem: 'debian12_64', customizations: { hostname } },
      });
      expect({ hostname, accepted: answer.status === 200 }).toEqual({
        hostname,
        accepted: formAccepts,
      });
      if (answer.status === 200) {
        await waitForTask(c, DEFAULT_SERVER, (answer.body as TaskBody).taskId);
      }
    }
  });
});

describe('user data over 64 KiB → CustomizationSizeExceeded', () => {
  const header = '#!/bin/sh\n';
  const script = (bytes: number) => header + '#'.repeat(bytes - header.length);
  const base64 = (text: string) => Buffer.from(text).toString('base64');

  for (const route of ROUTES) {
    it(`${route}: 65537 bytes, plain or base64, are refused`, async () => {
      for (const configDriveUserData of [script(65537), base64(script(65537))]) {
        const request = installRequest(route, {
          imageURL: image(),
          imageType: 'raw',
          configDriveUserData,
        });
        await expectRefused(request.path, request.body, {
          class: 'Client::BadRequest::CustomizationSizeExceeded',
          message: 'Customization is 65537 big, which is exceeding limit of 65536',
        });
      }
    });
  }

  it('counts the decoded text: 64 KiB sent as base64 (87 KiB on the wire) is accepted, as the form accepts it', async () => {
    const text = script(65536);
    expect(
      byoiFormSchemaFor('reinstall').safeParse({
        imageURL: image(),
        imageType: 'raw',
        configDriveUserData: text,
        efiBootloaderPath: EFI,
      }).success,
    ).toBe(true);
    const task = await expectAccepted(
      '/reinstall',
      reinstall({ configDriveUserData: base64(text) }),
    );
    expect(task.status).toBe('done');
    expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive?.userData).toBe(text);
  });
});

describe('properties (deprecated) is accepted and ignored', () => {
  it('a reinstall with properties installs, and nothing of it reaches the config drive', async () => {
    const body = { ...reinstall({}), properties: { role: 'webservers', essential: 'false' } };
    expect((await expectAccepted('/reinstall', body)).status).toBe('done');
    // No config-drive customization: no config drive at all.
    expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive).toBeNull();

    sim.admin.reset();
    const withHostname = { ...reinstall({ hostname: 'web1' }), properties: { role: 'x' } };
    expect((await expectAccepted('/reinstall', withHostname)).status).toBe('done');
    expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive?.metaData.meta).toEqual({});
  });
});

describe('install/start keeps working with flattened userMetadata', () => {
  it('reads headers, metadata, sshKey and the hostname from the seed-style body', async () => {
    const fields: ByoiFields = {
      imageURL: image(),
      imageType: 'raw',
      hostname: 'web1',
      configDriveMetadata: { role: 'web', tier: 'front' },
    };
    const request = installRequest('install-start', fields);
    expect((await expectAccepted(request.path, request.body)).status).toBe('done');
    expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive?.metaData).toMatchObject({
      hostname: 'web1',
      meta: { role: 'web', tier: 'front' },
    });
  });
});

describe('GET …/task?function=', () => {
  it("knows exactly dedicated.TaskFunctionEnum of OVH's OpenAPI", () => {
    const spec = JSON.parse(
      readFileSync(new URL('../../test/openapi/baremetal.openapi.json', import.meta.url), 'utf8'),
    ) as { components: { schemas: Record<string, { enum?: string[] }> } };
    expect(TASK_FUNCTIONS).toEqual(spec.components.schemas['dedicated.TaskFunctionEnum']?.enum);
  });
});
