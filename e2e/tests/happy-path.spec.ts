/**
 * The seed's happy path, as an operator walks it in the browser, on both install routes (the
 * default `reinstall` project runs every test; the seed's `install-start` project the ones tagged
 * @happy): the install reaches "done", the simulator received exactly the expected OVH request,
 * and what it wrote (the config drive's user data and metadata) is what the operator typed.
 */
import { expectedPayload } from './expectedPayload.ts';
import { expect, test } from './fixtures.ts';
import {
  chooseByoiTemplate,
  confirmInstall,
  expectInstallDone,
  fillForm,
  openConfiguration,
  openInstallDialog,
  openServerPage,
  routeDefaults,
  snapshot,
} from './wizard.ts';
import type { FormValues } from './wizard.ts';

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0eW9pLWUyZS1rZXktZm9yLXRlc3RzLW9ubHkx e2e@byoi';

test.describe('happy path @happy', () => {
  test('raw image with a sha256 checksum, walked step by step with screenshots', async ({
    operatorPage: page,
    serverName,
    imageServer,
    kit,
    sim,
    route,
  }, testInfo) => {
    const image = kit.images['raw-gpt'];
    const values: FormValues = {
      imageURL: `${imageServer.url}/images/${image.file}`,
      imageType: 'raw',
      imageCheckSum: image.sha256,
      customHostname: 'web1.example.com',
      sshKey: SSH_KEY,
      ...routeDefaults(route),
    };

    await openServerPage(page, serverName);
    await snapshot(page, testInfo, '00-server-page');
    await openInstallDialog(page);
    await snapshot(page, testInfo, '01-install-source');
    await chooseByoiTemplate(page, () => snapshot(page, testInfo, '02-install-template'));
    await snapshot(page, testInfo, '03-configuration-empty');
    await fillForm(page, values);
    // The checksum type is picked from the pasted checksum's length.
    await expect(page.getByRole('combobox', { name: 'Checksum type' })).toHaveValue('sha256');
    await snapshot(page, testInfo, '04-configuration-filled');
    await confirmInstall(page, serverName);
    await expectInstallDone(page);
    await snapshot(page, testInfo, '05-progress-done');

    const installs = await sim.installsFor(serverName);
    expect(installs).toHaveLength(1);
    expect(installs[0]?.route).toBe(route);
    expect(installs[0]?.body).toEqual(
      expectedPayload(route, { ...values, imageCheckSumType: 'sha256' }),
    );
    await expect(page.getByText('Installation complete').first()).toBeVisible();
  });

  test('qcow2 image without a checksum', async ({
    operatorPage: page,
    serverName,
    imageServer,
    kit,
    sim,
    route,
  }) => {
    const values: FormValues = {
      imageURL: `${imageServer.url}/images/${kit.images.qcow2.file}`,
      imageType: 'qcow2',
      ...routeDefaults(route),
    };
    await openConfiguration(page, serverName);
    await fillForm(page, values);
    await confirmInstall(page, serverName);
    await expectInstallDone(page);

    const installs = await sim.installsFor(serverName);
    expect(installs.map((i) => i.body)).toEqual([expectedPayload(route, values)]);
    await expect(page.getByText('Installation complete').first()).toBeVisible();
  });

  test('compressed qcow2 with an md5 checksum behind Basic auth (HTTP header)', async ({
    operatorPage: page,
    serverName,
    imageServer,
    kit,
    sim,
    route,
  }) => {
    const image = kit.images['qcow2-compressed'];
    const values: FormValues = {
      imageURL: `${imageServer.url}/auth/images/${image.file}`,
      imageType: 'qcow2',
      imageCheckSum: image.md5.toUpperCase(),
      httpHeaders: [{ name: 'Authorization', value: imageServer.authorization }],
      ...routeDefaults(route),
    };
    await openConfiguration(page, serverName);
    await fillForm(page, values);
    await expect(page.getByRole('combobox', { name: 'Checksum type' })).toHaveValue('md5');
    // The header value is masked like a password.
    await expect(page.getByLabel('HTTP header value', { exact: true })).toHaveAttribute(
      'type',
      'password',
    );
    await confirmInstall(page, serverName);
    await expectInstallDone(page);

    const installs = await sim.installsFor(serverName);
    expect(installs.map((i) => i.body)).toEqual([
      expectedPayload(route, { ...values, imageCheckSumType: 'md5' }),
    ]);
    // The simulator downloaded the image with the header: the image server saw it.
    const downloads = imageServer.requests.filter(
      (r) => r.method === 'GET' && r.path === `/auth/images/${image.file}`,
    );
    expect(downloads.some((r) => r.status === 200 || r.status === 206)).toBe(true);
    await expect(page.getByText('Installation complete').first()).toBeVisible();
  });

  test('#cloud-config user data and Config Drive metadata', async ({
    operatorPage: page,
    serverName,
    imageServer,
    kit,
    sim,
    route,
  }) => {
    const values: FormValues = {
      imageURL: `${imageServer.url}/images/${kit.images['raw-mbr'].file}`,
      imageType: 'raw',
      imageCheckSum: kit.images['raw-mbr'].sha1,
      configDriveUserData: '#cloud-config\npackages:\n  - htop\nruncmd:\n  - echo hello\n',
      configDriveMetadata: [{ key: 'role', value: 'webserver' }],
      ...routeDefaults(route),
    };
    await openConfiguration(page, serverName);
    await fillForm(page, values);
    await expect(page.getByText('Detected: #cloud-config (cloud-init YAML).')).toBeVisible();
    await confirmInstall(page, serverName);
    await expectInstallDone(page);

    const installs = await sim.installsFor(serverName);
    expect(installs.map((i) => i.body)).toEqual([
      expectedPayload(route, { ...values, imageCheckSumType: 'sha1' }),
    ]);
    await expect(page.getByText('Installation complete').first()).toBeVisible();
    // The metadata landed where cloud-init reads it: under `meta` in the config drive's meta_data.json.
    const written = await sim.server(serverName);
    expect(written.disk?.configDrive?.metaData.meta).toEqual({ role: 'webserver' });
    expect(written.disk?.configDrive?.userData).toBe(values.configDriveUserData);
  });

  test('a #! script as user data and a sha512 checksum', async ({
    operatorPage: page,
    serverName,
    imageServer,
    kit,
    sim,
    route,
  }) => {
    const image = kit.images['raw-gpt'];
    const values: FormValues = {
      imageURL: `${imageServer.url}/images/${image.file}`,
      imageType: 'raw',
      imageCheckSum: image.sha512,
      configDriveUserData: '#!/bin/bash\necho "first boot" > /root/first-boot.txt\n',
      ...routeDefaults(route),
    };
    await openConfiguration(page, serverName);
    await fillForm(page, values);
    await expect(page.getByText('Detected: script (#!), run once at first boot.')).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Checksum type' })).toHaveValue('sha512');
    await confirmInstall(page, serverName);
    await expectInstallDone(page);

    const installs = await sim.installsFor(serverName);
    expect(installs.map((i) => i.body)).toEqual([
      expectedPayload(route, { ...values, imageCheckSumType: 'sha512' }),
    ]);
    await expect(page.getByText('Installation complete').first()).toBeVisible();
  });
});
