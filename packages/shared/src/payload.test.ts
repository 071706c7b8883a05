import { describe, expect, it } from 'vitest';
import { byoiFormSchema, byoiFormSchemaFor, type ByoiForm } from './form.ts';
import {
  MASK,
  PayloadError,
  buildInstallPayload,
  buildInstallStartPayload,
  buildReinstallPayload,
  formFromInstallStartPayload,
  formFromReinstallPayload,
  maskPayloadSecrets,
} from './payload.ts';

// The seed guide's example (seed/bring-your-own-image.md), as an operator fills the form.
const SEED_URL =
  'https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw';
const SEED_CHECKSUM =
  '2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa';
const SEED_SCRIPT = '#!/bin/bash\necho "Hi, sounds that BYOI is a success!" > /etc/motd\n';
const EFI = '\\efi\\debian\\grubx64.efi';
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop';

const seedInput = {
  imageURL: SEED_URL,
  imageType: 'raw',
  imageCheckSum: SEED_CHECKSUM,
  imageCheckSumType: 'sha512',
  httpHeaders: [{ name: 'Authorization', value: 'Basic bG9naW46cGFzc3dvcmQ=' }],
  configDriveUserData: SEED_SCRIPT,
  configDriveMetadata: [],
  customHostname: 'myCustomBYOI',
  sshKey: '',
  efiBootloaderPath: '',
};
const seedForm: ByoiForm = byoiFormSchemaFor('install-start').parse(seedInput);

const base64 = (text: string) => Buffer.from(text).toString('base64');

const fullForm: ByoiForm = byoiFormSchemaFor('reinstall').parse({
  ...seedInput,
  httpHeaders: [
    { name: 'Authorization', value: 'Bearer abc' },
    { name: 'X-Tenant', value: 'ops' },
  ],
  configDriveMetadata: [
    { key: 'role', value: 'webservers' },
    { key: 'essential', value: 'false' },
  ],
  sshKey: ED25519,
  efiBootloaderPath: EFI,
});

// OVH's current BYOI guide's example body for the reinstall route, verbatim.
const OVH_EXAMPLE_TEXT =
  '{"operatingSystem":"byoi_64","customizations":{"hostname":"mon-tux","imageURL":"https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw","imageType":"raw","sshKey":"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC9xPpdqP3sx2H+gcBm65tJEaUbuifQ1uGkgrWtNY0PRKNNPdy+3yoVOtxk6Vjo4YZ0EU/JhmQfnrK7X7Q5vhqYxmozi0LiTRt0BxgqHJ+4hWTWMIOgr+C2jLx7ZsCReRk+fy5AHr6h0PHQEuXVLXeUy/TDyuY2JPtUZ5jcqvLYgQ== my-nuclear-power-plant","efiBootloaderPath":"\\\\efi\\\\debian\\\\grubx64.efi","imageCheckSum":"2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa","httpHeaders":{"Authorization":"Basic bG9naW46cGFzc3dvcmQ="},"imageCheckSumType":"sha512","configDriveUserData":"I2Nsb3VkLWNvbmZpZwpzc2hfYXV0aG9yaXplZF9rZXlzOgogIC0gc3NoLXJzYSBBQUFBQjhkallpdz09IG15c2VsZkBteWRvbWFpbi5uZXQKCnVzZXJzOgogIC0gbmFtZTogcGF0aWVudDAKICAgIHN1ZG86IEFMTD0oQUxMKSBOT1BBU1NXRDpBTEwKICAgIGdyb3VwczogdXNlcnMsIHN1ZG8KICAgIHNoZWxsOiAvYmluL2Jhc2gKICAgIGxvY2tfcGFzc3dkOiBmYWxzZQogICAgc3NoX2F1dGhvcml6ZWRfa2V5czoKICAgICAgLSBzc2gtcnNhIEFBQUFCOGRqWWl3PT0gbXlzZWxmQG15ZG9tYWluLm5ldApkaXNhYmxlX3Jvb3Q6IGZhbHNlCnBhY2thZ2VzOgogIC0gdmltCiAgLSB0cmVlCmZpbmFsX21lc3NhZ2U6IFRoZSBzeXN0ZW0gaXMgZmluYWxseSB1cCwgYWZ0ZXIgJFVQVElNRSBzZWNvbmRzCg=="}}';
const OVH_EXAMPLE = JSON.parse(OVH_EXAMPLE_TEXT) as {
  customizations: { sshKey: string; configDriveUserData: string };
};
const OVH_CLOUD_CONFIG = Buffer.from(
  OVH_EXAMPLE.customizations.configDriveUserData,
  'base64',
).toString('utf8');

// OVH's current example, as an operator fills the form (user data typed as text).
const ovhInput = {
  imageURL: SEED_URL,
  imageType: 'raw',
  imageCheckSum: SEED_CHECKSUM,
  imageCheckSumType: 'sha512',
  httpHeaders: [{ name: 'Authorization', value: 'Basic bG9naW46cGFzc3dvcmQ=' }],
  configDriveUserData: OVH_CLOUD_CONFIG,
  configDriveMetadata: [],
  customHostname: 'mon-tux',
  sshKey: OVH_EXAMPLE.customizations.sshKey,
  efiBootloaderPath: EFI,
};

describe('buildInstallStartPayload', () => {
  it("turns the seed's example form into exactly the seed's payload", () => {
    const payload = buildInstallStartPayload(seedForm);
    expect(payload).toEqual({
      details: { customHostname: 'myCustomBYOI' },
      templateName: 'byoi_64',
      userMetadata: [
        { key: 'imageURL', value: SEED_URL },
        { key: 'imageType', value: 'raw' },
        { key: 'httpHeaders0Key', value: 'Authorization' },
        { key: 'httpHeaders0Value', value: 'Basic bG9naW46cGFzc3dvcmQ=' },
        { key: 'imageCheckSum', value: SEED_CHECKSUM },
        { key: 'imageCheckSumType', value: 'sha512' },
        { key: 'configDriveUserData', value: base64(SEED_SCRIPT) },
      ],
    });
    // Same keys in the seed's order, not just the same set.
    expect(Object.keys(payload)).toEqual(['details', 'templateName', 'userMetadata']);
    expect(payload.userMetadata.map((e) => e.key)).toEqual([
      'imageURL',
      'imageType',
      'httpHeaders0Key',
      'httpHeaders0Value',
      'imageCheckSum',
      'imageCheckSumType',
      'configDriveUserData',
    ]);
  });

  it('flattens several headers and metadata pairs, then sshKey and efiBootloaderPath last', () => {
    expect(buildInstallStartPayload(fullForm).userMetadata.map((e) => e.key)).toEqual([
      'imageURL',
      'imageType',
      'httpHeaders0Key',
      'httpHeaders0Value',
      'httpHeaders1Key',
      'httpHeaders1Value',
      'imageCheckSum',
      'imageCheckSumType',
      'configDriveUserData',
      'configDriveMetadata0Key',
      'configDriveMetadata0Value',
      'configDriveMetadata1Key',
      'configDriveMetadata1Value',
      'sshKey',
      'efiBootloaderPath',
    ]);
  });

  it('sends only the two required entries, and no details, for a minimal form', () => {
    const form = byoiFormSchemaFor('install-start').parse({
      imageURL: 'https://h/a.qcow2',
      imageType: 'qcow2',
      imageCheckSum: '',
      imageCheckSumType: '',
      customHostname: ' ',
      configDriveUserData: '',
      sshKey: '',
      efiBootloaderPath: '',
    });
    expect(buildInstallStartPayload(form)).toEqual({
      templateName: 'byoi_64',
      userMetadata: [
        { key: 'imageURL', value: 'https://h/a.qcow2' },
        { key: 'imageType', value: 'qcow2' },
      ],
    });
  });
});

describe('buildReinstallPayload', () => {
  it("turns OVH's current example, as a form, into exactly OVH's current example", () => {
    expect(OVH_CLOUD_CONFIG.startsWith('#cloud-config\n')).toBe(true);
    const payload = buildReinstallPayload(byoiFormSchema.parse(ovhInput));
    expect(payload).toEqual(JSON.parse(OVH_EXAMPLE_TEXT));
    // Byte for byte: same keys, same order, same encoding of the user data.
    expect(JSON.stringify(payload)).toBe(OVH_EXAMPLE_TEXT);
  });

  it("turns the seed's form (plus the EFI path) into OVH's reinstall body", () => {
    const form = byoiFormSchemaFor('reinstall').parse({ ...seedInput, efiBootloaderPath: EFI });
    const payload = buildReinstallPayload(form);
    expect(payload).toEqual({
      operatingSystem: 'byoi_64',
      customizations: {
        imageURL: SEED_URL,
        imageType: 'raw',
        imageCheckSum: SEED_CHECKSUM,
        imageCheckSumType: 'sha512',
        httpHeaders: { Authorization: 'Basic bG9naW46cGFzc3dvcmQ=' },
        configDriveUserData: base64(SEED_SCRIPT),
        hostname: 'myCustomBYOI',
        efiBootloaderPath: EFI,
      },
    });
    // Absent fields are left out, never sent as undefined or ''.
    expect(Object.keys(payload.customizations)).not.toContain('sshKey');
    expect(Object.keys(payload.customizations)).not.toContain('configDriveMetadata');
  });

  it('puts config drive metadata in customizations.configDriveMetadata, never in properties', () => {
    const payload = buildReinstallPayload(fullForm);
    expect(payload.customizations.configDriveMetadata).toEqual({
      role: 'webservers',
      essential: 'false',
    });
    // OVH ignores the deprecated top-level properties: the keys would never reach the server.
    expect(Object.keys(payload)).toEqual(['operatingSystem', 'customizations']);
    expect(payload.customizations.sshKey).toBe(ED25519);
    expect(payload.customizations.httpHeaders).toEqual({
      Authorization: 'Bearer abc',
      'X-Tenant': 'ops',
    });
  });

  it('refuses a form without an EFI bootloader path', () => {
    expect(() => buildReinstallPayload(seedForm)).toThrow(PayloadError);
    expect(() => buildReinstallPayload(seedForm)).toThrow(/efiBootloaderPath: Enter the EFI/);
  });
});

describe('buildInstallPayload', () => {
  it('picks the path and body for each route', () => {
    expect(buildInstallPayload('install-start', fullForm)).toEqual({
      path: '/install/start',
      body: buildInstallStartPayload(fullForm),
    });
    expect(buildInstallPayload('reinstall', fullForm)).toEqual({
      path: '/reinstall',
      body: buildReinstallPayload(fullForm),
    });
  });
});

describe('builders refuse unvalidated input', () => {
  const cases: [string, unknown][] = [
    ['a raw object with a bad URL', { ...seedForm, imageURL: 'ftp://x/a' }],
    ['a checksum too short for its type', { ...seedForm, imageCheckSum: 'a'.repeat(127) }],
    ['a checksum without its type', { ...seedForm, imageCheckSumType: undefined }],
    ['an extra field', { ...seedForm, templateName: 'debian12_64' }],
    ['a header value with CRLF', { ...seedForm, httpHeaders: [{ name: 'A', value: 'x\r\nB: y' }] }],
    ['null', null],
  ];

  it.each(cases)('%s', (_, input) => {
    // Deliberately bypasses the type: the builders are the last guard before OVH.
    const form = input as ByoiForm;
    expect(() => buildInstallStartPayload(form)).toThrow(PayloadError);
    expect(() => buildReinstallPayload({ ...form, efiBootloaderPath: EFI })).toThrow(PayloadError);
  });

  it('carries the issues and field errors, and no header value', () => {
    const bad = {
      ...seedForm,
      imageURL: 'ftp://x/a',
      httpHeaders: [
        { name: 'Authorization', value: 'Bearer s3cret' },
        { name: 'authorization', value: 'Bearer s3cret' },
      ],
    };
    let caught: unknown;
    try {
      buildInstallStartPayload(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PayloadError);
    const error = caught as PayloadError;
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['imageURL', 'httpHeaders.1.name']) as unknown,
    );
    expect(Object.keys(error.fieldErrors)).toContain('imageURL');
    expect(error.message).not.toContain('s3cret');
  });
});

describe('maskPayloadSecrets', () => {
  it('masks header values in an install/start body, on a copy', () => {
    const payload = buildInstallStartPayload(fullForm);
    const masked = maskPayloadSecrets(payload);
    const value = (key: string) => masked.userMetadata.find((e) => e.key === key)?.value;
    expect(value('httpHeaders0Value')).toBe(MASK);
    expect(value('httpHeaders1Value')).toBe('••••••');
    expect(value('httpHeaders0Key')).toBe('Authorization');
    expect(value('imageURL')).toBe(SEED_URL);
    expect(JSON.stringify(masked)).not.toContain('Bearer abc');
    // The original is untouched.
    expect(payload.userMetadata.find((e) => e.key === 'httpHeaders0Value')?.value).toBe(
      'Bearer abc',
    );
  });

  it('masks header values in a reinstall body and in a whole request', () => {
    const body = buildReinstallPayload(fullForm);
    expect(maskPayloadSecrets(body).customizations.httpHeaders).toEqual({
      Authorization: MASK,
      'X-Tenant': MASK,
    });
    expect(body.customizations.httpHeaders?.Authorization).toBe('Bearer abc');
    const request = maskPayloadSecrets(buildInstallPayload('install-start', fullForm));
    expect(request.path).toBe('/install/start');
    expect(JSON.stringify(request)).not.toContain('Bearer abc');
  });
});

describe('payload → form', () => {
  it('round-trips install/start', () => {
    const back = formFromInstallStartPayload(buildInstallStartPayload(fullForm));
    expect(byoiFormSchemaFor('reinstall').parse(back)).toEqual(fullForm);
    expect(back.configDriveUserData).toBe(SEED_SCRIPT);
  });

  it('round-trips reinstall, metadata included', () => {
    const back = formFromReinstallPayload(buildReinstallPayload(fullForm));
    expect(back.configDriveMetadata).toEqual([
      { key: 'role', value: 'webservers' },
      { key: 'essential', value: 'false' },
    ]);
    expect(byoiFormSchemaFor('reinstall').parse(back)).toEqual(fullForm);
  });

  it("reads OVH's current example back into the form it came from", () => {
    const back = formFromReinstallPayload(JSON.parse(OVH_EXAMPLE_TEXT));
    expect(back.configDriveUserData).toBe(OVH_CLOUD_CONFIG);
    expect(byoiFormSchema.parse(back)).toEqual(byoiFormSchema.parse(ovhInput));
  });

  it('reads metadata from customizations only: the deprecated properties are ignored', () => {
    const back = formFromReinstallPayload({
      operatingSystem: 'byoi_64',
      customizations: { imageURL: 'https://h/a.raw', imageType: 'raw' },
      properties: { role: 'webservers' },
    });
    expect(back.configDriveMetadata).toEqual([]);
  });

  it("turns the seed's example form into the seed's payload and back", () => {
    const back = formFromInstallStartPayload(buildInstallStartPayload(seedForm));
    expect(byoiFormSchemaFor('install-start').parse(back)).toEqual(seedForm);
    expect(back.configDriveUserData).toBe(SEED_SCRIPT);
  });

  it("reads the seed's literal JSON, whose user data is plain text", () => {
    const back = formFromInstallStartPayload({
      details: { customHostname: 'myCustomBYOI' },
      templateName: 'byoi_64',
      userMetadata: [
        { key: 'imageURL', value: SEED_URL },
        { key: 'imageType', value: 'raw' },
        { key: 'httpHeaders0Key', value: 'Authorization' },
        { key: 'httpHeaders0Value', value: 'Basic bG9naW46cGFzc3dvcmQ=' },
        { key: 'imageCheckSum', value: SEED_CHECKSUM },
        { key: 'imageCheckSumType', value: 'sha512' },
        { key: 'configDriveUserData', value: SEED_SCRIPT },
      ],
    });
    expect(byoiFormSchemaFor('install-start').parse(back)).toEqual(seedForm);
  });

  it('keeps what is wrong so the caller can refuse it with its own message', () => {
    const back = formFromInstallStartPayload({
      templateName: 'byoi_64',
      userMetadata: [
        { key: 'imageURL', value: 'https://h/a.raw' },
        { key: 'imageType', value: 'vmdk' },
        { key: 'imageCheckSum', value: 'abc' },
        { key: 'httpHeaders1Value', value: 'v' },
      ],
    });
    expect(back).toEqual({
      imageURL: 'https://h/a.raw',
      imageType: 'vmdk',
      imageCheckSum: 'abc',
      httpHeaders: [{ name: '', value: 'v' }],
      configDriveMetadata: [],
    });
    expect(byoiFormSchemaFor('install-start').safeParse(back).success).toBe(false);
  });

  it('throws PayloadError on a body of the wrong shape', () => {
    expect(() => formFromInstallStartPayload({ templateName: 'byoi_64' })).toThrow(PayloadError);
    expect(() =>
      formFromInstallStartPayload({ userMetadata: [{ key: 'imageURL', value: 1 }] }),
    ).toThrow(/key and value are strings/);
    expect(() => formFromReinstallPayload({ operatingSystem: 'byoi_64' })).toThrow(
      /customizations object/,
    );
  });
});
