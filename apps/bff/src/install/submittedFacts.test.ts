import { describe, expect, it } from 'vitest';
import type { ByoiForm } from '@byoi/shared';
import { sha256Hex } from '../redact.ts';
import {
  installFacts,
  libraryImageOf,
  submittedFacts,
  submittedPart,
  urlLosesParts,
} from './submittedFacts.ts';

const TASK = { taskId: 7, startDate: '2026-11-26T01:00:00.000Z' };

const form: ByoiForm = {
  imageURL: 'https://user:pw@images.example.com/a.qcow2?sig=abc#x',
  imageType: 'qcow2',
  httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
  configDriveUserData: '#cloud-config\n',
  configDriveMetadata: [{ key: 'role', value: 'web' }],
};

describe('submittedFacts', () => {
  it('keeps what the done page shows, never a header value or the user data', () => {
    const facts = submittedFacts('reinstall', form, TASK);
    expect(facts).toMatchObject({
      taskId: 7,
      submittedAt: TASK.startDate,
      imageURL: 'https://images.example.com/a.qcow2?sig=',
      configDrive: { userData: true, metadataKeys: 1, sshKey: false },
      imageCheckSum: null,
      customHostname: null,
    });
    expect(JSON.stringify(facts)).not.toMatch(/t0ken|cloud-config|pw/);
  });

  it('says no Config Drive when none of its fields was given', () => {
    const plain: ByoiForm = {
      imageURL: 'https://i.example.com/a.raw',
      imageType: 'raw',
      httpHeaders: [],
      configDriveMetadata: [],
    };
    expect(submittedFacts('reinstall', plain, TASK).configDrive).toBeNull();
  });
});

describe('installFacts', () => {
  it('adds header names, the user data as SHA-256 and whether the URL lost parts', () => {
    const facts = installFacts('install-start', form, TASK);
    expect(facts).toMatchObject({
      route: 'install-start',
      httpHeaderNames: ['Authorization'],
      configDriveUserDataSha256: sha256Hex('#cloud-config\n'),
      imageURLRedacted: true,
    });
    expect(JSON.stringify(facts)).not.toMatch(/t0ken|cloud-config|pw/);
    // The progress DTO carries the done page's part only.
    expect(submittedPart(facts)).toEqual(submittedFacts('install-start', form, TASK));
  });

  it('tells an address redaction changes from one it keeps whole', () => {
    expect(urlLosesParts('https://i.example.com/a.raw')).toBe(false);
    expect(urlLosesParts('https://i.example.com/a.raw?empty=')).toBe(false);
    expect(urlLosesParts('https://i.example.com/a.raw?X-Amz-Signature=s')).toBe(true);
    expect(urlLosesParts('https://u@i.example.com/a.raw')).toBe(true);
    expect(urlLosesParts('https://i.example.com/a.raw#part')).toBe(true);
    expect(urlLosesParts('not a url')).toBe(true);
  });
});

describe('libraryImageOf', () => {
  it('reads the library image ref, when the form has one', () => {
    expect(libraryImageOf(form)).toBeNull();
    expect(libraryImageOf({ ...form, libraryImage: { id: 'img-1', version: 3 } })).toEqual({
      id: 'img-1',
      version: 3,
    });
  });
});
