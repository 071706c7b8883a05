import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { byoiFormSchemaFor } from './form.ts';
import { MASK, buildInstallPayload, type InstallRequest } from './payload.ts';
import {
  INSTALL_START_NOTICE,
  TERRAFORM_STATE_WARNING,
  buildApiSnippets,
  hclString,
  pythonString,
  shellQuote,
  type ApiSnippets,
  type SnippetKind,
} from './snippets.ts';

const SN = 'ns1234567.ip-51-91-0.eu';
const SECRET = 'Bearer s3cret-t0ken';
const SSH =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop';
const CHECKSUM = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const USER_DATA = 'I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIHZpbQo=';
const EFI = '\\efi\\debian\\grubx64.efi';

/** Every field set, header values unmasked: the builders must mask them on their own. */
function fullReinstall(): Extract<InstallRequest, { path: '/reinstall' }> {
  return {
    path: '/reinstall',
    body: {
      operatingSystem: 'byoi_64',
      customizations: {
        hostname: 'web-1',
        imageURL: 'https://images.example.com/debian-12.qcow2?sig=abc&exp=1',
        imageType: 'qcow2',
        sshKey: SSH,
        efiBootloaderPath: EFI,
        imageCheckSum: CHECKSUM,
        httpHeaders: { Authorization: SECRET, 'X-Tenant': 'ops' },
        imageCheckSumType: 'sha256',
        configDriveUserData: USER_DATA,
        configDriveMetadata: { role: 'web', 'instance-id': 'web-1' },
      },
    },
  };
}

function withoutMetadata() {
  const request = fullReinstall();
  delete request.body.customizations.configDriveMetadata;
  return request;
}

const minimalReinstall = (): InstallRequest => ({
  path: '/reinstall',
  body: {
    operatingSystem: 'byoi_64',
    customizations: {
      imageURL: 'https://images.example.com/a.raw',
      imageType: 'raw',
      efiBootloaderPath: EFI,
    },
  },
});

const fullInstallStart = (): InstallRequest => ({
  path: '/install/start',
  body: {
    details: { customHostname: 'web-1' },
    templateName: 'byoi_64',
    userMetadata: [
      { key: 'imageURL', value: 'https://images.example.com/a.raw' },
      { key: 'imageType', value: 'raw' },
      { key: 'httpHeaders0Key', value: 'Authorization' },
      { key: 'httpHeaders0Value', value: SECRET },
      { key: 'configDriveMetadata0Key', value: 'role' },
      { key: 'configDriveMetadata0Value', value: 'web' },
    ],
  },
});

const minimalInstallStart = (): InstallRequest => ({
  path: '/install/start',
  body: {
    templateName: 'byoi_64',
    userMetadata: [
      { key: 'imageURL', value: 'https://images.example.com/a.raw' },
      { key: 'imageType', value: 'raw' },
    ],
  },
});

/** Values that break naive quoting in every one of the five languages. */
const HOSTILE = [
  `it's "quoted"`,
  EFI,
  'trailing backslash \\',
  'line one\nline two\r\nline three\ttab',
  '${var.secret} and %{ if true }x%{ endif }',
  '$${already} %%{doubled} $$${tripled}',
  '\\${escaped?}',
  "'; rm -rf / #",
  '$(touch pwned) `touch pwned`',
  'unicode: ünïcødé €, U+2028 [\u2028], NUL-free controls [\u0001\u007f\u0085]',
  '',
];

/** Keys of one length, so that `terraform fmt` alignment adds no padding. */
const keyOf = (i: number) => `key-${String.fromCharCode(97 + i)}`;

function hostileReinstall(): InstallRequest {
  const request = fullReinstall();
  const c = request.body.customizations;
  c.hostname = HOSTILE.join('|');
  c.efiBootloaderPath = EFI;
  c.sshKey = HOSTILE[0];
  c.configDriveMetadata = Object.fromEntries(HOSTILE.map((value, i) => [keyOf(i), value]));
  return request;
}

const snippetsOf = (request: InstallRequest, endpoint: string | undefined = 'ovh-eu') =>
  buildApiSnippets(request, { serverName: SN, endpoint });

function textOf(result: ApiSnippets, kind: SnippetKind): string {
  const snippet = result.snippets.find((s) => s.kind === kind);
  if (!snippet) throw new Error(`no ${kind} snippet`);
  return snippet.text;
}

/** The masked body as it travels: the reference every executable snippet must reproduce. */
function wireBody(request: InstallRequest): unknown {
  const body = structuredClone(request.body) as {
    customizations?: { httpHeaders?: Record<string, string> };
    userMetadata?: { key: string; value: string }[];
  };
  for (const name of Object.keys(body.customizations?.httpHeaders ?? {})) {
    body.customizations!.httpHeaders![name] = MASK;
  }
  for (const entry of body.userMetadata ?? []) {
    if (/^httpHeaders\d+Value$/.test(entry.key)) entry.value = MASK;
  }
  return body;
}

// ---- running the snippets for real ----

/** Runs the node-ovh snippet against a stand-in for the package; returns what it asked for. */
async function runNodeOvh(text: string) {
  const calls: { config: unknown; method: string; path: string; body: unknown }[] = [];
  const fakeRequire = (name: string) => {
    if (name !== '@ovhcloud/node-ovh') throw new Error(`unexpected require(${name})`);
    return (config: unknown) => ({
      requestPromised: (method: string, path: string, body: unknown) => {
        calls.push({ config, method, path, body });
        return Promise.resolve({ taskId: 1 });
      },
    });
  };
  const failures: unknown[] = [];
  runInNewContext(text, {
    require: fakeRequire,
    console: { log: () => undefined, error: (e: unknown) => failures.push(e) },
    process: { exitCode: 0 },
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(failures).toEqual([]);
  // Through JSON: objects made in the other realm have that realm's prototypes.
  return JSON.parse(JSON.stringify(calls)) as typeof calls;
}

const workDirs: string[] = [];
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI snippet in sh with `ovhcloud` standing for a function that records its words. */
function runCli(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'byoi-cli-'));
  workDirs.push(dir);
  const recorder = `ovhcloud() { printf '%s\\0' "$OVH_ENDPOINT" "$@"; }\n`;
  const out = execFileSync('sh', ['-c', recorder + text], { cwd: dir, encoding: 'utf8' });
  const [endpoint, ...args] = out.split('\0').slice(0, -1);
  const fileAt = args.indexOf('--from-file');
  const file =
    fileAt === -1
      ? undefined
      : (JSON.parse(readFileSync(join(dir, args[fileAt + 1]!), 'utf8')) as unknown);
  return { endpoint, args, file };
}

/** The body the CLI would build from its flags (names as in its reinstall command). */
function bodyFromFlags(args: string[]) {
  const keys: Record<string, string> = {
    '--image-url': 'imageURL',
    '--image-type': 'imageType',
    '--image-checksum': 'imageCheckSum',
    '--image-checksum-type': 'imageCheckSumType',
    '--config-drive-user-data': 'configDriveUserData',
    '--efi-bootloader-path': 'efiBootloaderPath',
    '--hostname': 'hostname',
    '--ssh-key': 'sshKey',
  };
  const [command, subcommand, serverName, ...flags] = args;
  const customizations: Record<string, unknown> = {};
  const headers: Record<string, string> = {};
  let operatingSystem: string | undefined;
  for (let i = 0; i < flags.length; i += 2) {
    const flag = flags[i]!;
    const value = flags[i + 1]!;
    if (flag === '--os') operatingSystem = value;
    else if (flag === '--http-headers') {
      const at = value.indexOf('=');
      headers[value.slice(0, at)] = value.slice(at + 1);
    } else if (keys[flag]) customizations[keys[flag]] = value;
    else throw new Error(`unknown flag ${flag}`);
  }
  if (Object.keys(headers).length > 0) customizations.httpHeaders = headers;
  return {
    command: `${command} ${subcommand}`,
    serverName,
    body: { operatingSystem, customizations },
  };
}

// ---- exact texts ----

describe('snippets for a full reinstall form', () => {
  const result = snippetsOf(fullReinstall());

  it('names the reinstall path, the endpoint, and the five equivalents', () => {
    expect(result.method).toBe('POST');
    expect(result.path).toBe(`/dedicated/server/${SN}/reinstall`);
    expect(result.endpoint).toBe('ovh-eu');
    expect(result.endpointIsExample).toBe(false);
    expect(result.snippets.map((s) => s.kind)).toEqual([
      'http',
      'node-ovh',
      'python-ovh',
      'ovhcloud-cli',
      'terraform',
    ]);
    expect(result.unavailable).toEqual([]);
    expect(result.notes).toEqual([
      'HTTP header values are masked (••••••) in every snippet: type the real value in before you run one.',
    ]);
  });

  it('HTTP request', () => {
    expect(textOf(result, 'http'))
      .toBe(String.raw`POST /dedicated/server/ns1234567.ip-51-91-0.eu/reinstall
Content-Type: application/json

{
  "operatingSystem": "byoi_64",
  "customizations": {
    "hostname": "web-1",
    "imageURL": "https://images.example.com/debian-12.qcow2?sig=abc&exp=1",
    "imageType": "qcow2",
    "sshKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop",
    "efiBootloaderPath": "\\efi\\debian\\grubx64.efi",
    "imageCheckSum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "httpHeaders": {
      "Authorization": "••••••",
      "X-Tenant": "••••••"
    },
    "imageCheckSumType": "sha256",
    "configDriveUserData": "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIHZpbQo=",
    "configDriveMetadata": {
      "role": "web",
      "instance-id": "web-1"
    }
  }
}`);
    expect(result.snippets[0]?.notes).toEqual([
      'The path is relative to https://eu.api.ovh.com/1.0. OVH also requires the signature headers X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp and X-Ovh-Signature: the SDKs compute them for you.',
    ]);
  });

  it('node-ovh', () => {
    expect(textOf(result, 'node-ovh')).toBe(String.raw`const ovh = require('@ovhcloud/node-ovh')({
  endpoint: 'ovh-eu',
  appKey: '<APPLICATION_KEY>',
  appSecret: '<APPLICATION_SECRET>',
  consumerKey: '<CONSUMER_KEY>',
});

async function main() {
  const task = await ovh.requestPromised('POST', '/dedicated/server/ns1234567.ip-51-91-0.eu/reinstall', {
    "operatingSystem": "byoi_64",
    "customizations": {
      "hostname": "web-1",
      "imageURL": "https://images.example.com/debian-12.qcow2?sig=abc&exp=1",
      "imageType": "qcow2",
      "sshKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop",
      "efiBootloaderPath": "\\efi\\debian\\grubx64.efi",
      "imageCheckSum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "httpHeaders": {
        "Authorization": "••••••",
        "X-Tenant": "••••••"
      },
      "imageCheckSumType": "sha256",
      "configDriveUserData": "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIHZpbQo=",
      "configDriveMetadata": {
        "role": "web",
        "instance-id": "web-1"
      }
    }
  });
  console.log(task);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});`);
  });

  it('python-ovh', () => {
    expect(textOf(result, 'python-ovh')).toBe(String.raw`import ovh

client = ovh.Client(
    endpoint='ovh-eu',
    application_key='<APPLICATION_KEY>',
    application_secret='<APPLICATION_SECRET>',
    consumer_key='<CONSUMER_KEY>',
)

task = client.post(
    '/dedicated/server/ns1234567.ip-51-91-0.eu/reinstall',
    operatingSystem='byoi_64',
    customizations={
        'hostname': 'web-1',
        'imageURL': 'https://images.example.com/debian-12.qcow2?sig=abc&exp=1',
        'imageType': 'qcow2',
        'sshKey': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop',
        'efiBootloaderPath': '\\efi\\debian\\grubx64.efi',
        'imageCheckSum': '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        'httpHeaders': {
            'Authorization': '••••••',
            'X-Tenant': '••••••',
        },
        'imageCheckSumType': 'sha256',
        'configDriveUserData': 'I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIHZpbQo=',
        'configDriveMetadata': {
            'role': 'web',
            'instance-id': 'web-1',
        },
    },
)
print(task)`);
  });

  it('ovhcloud CLI: config drive metadata has no flag, so the body goes through --from-file', () => {
    expect(textOf(result, 'ovhcloud-cli'))
      .toBe(String.raw`# Credentials: ${'`ovhcloud login`'}, ~/.ovh.conf, or OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY in the environment.
cat > reinstall.json <<'EOF'
{
  "operatingSystem": "byoi_64",
  "customizations": {
    "hostname": "web-1",
    "imageURL": "https://images.example.com/debian-12.qcow2?sig=abc&exp=1",
    "imageType": "qcow2",
    "sshKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop",
    "efiBootloaderPath": "\\efi\\debian\\grubx64.efi",
    "imageCheckSum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "httpHeaders": {
      "Authorization": "••••••",
      "X-Tenant": "••••••"
    },
    "imageCheckSumType": "sha256",
    "configDriveUserData": "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIHZpbQo=",
    "configDriveMetadata": {
      "role": "web",
      "instance-id": "web-1"
    }
  }
}
EOF
OVH_ENDPOINT=ovh-eu ovhcloud baremetal reinstall ns1234567.ip-51-91-0.eu --from-file reinstall.json`);
    expect(result.snippets[3]?.notes).toEqual([
      'The CLI asks you to type the server name before it wipes the disks (--yes skips that, for unattended runs only).',
      'The CLI has no flag for config drive metadata, so the whole request body goes through --from-file reinstall.json.',
    ]);
  });

  it('Terraform, with the state warning', () => {
    expect(textOf(result, 'terraform')).toBe(String.raw`terraform {
  required_providers {
    ovh = {
      source  = "ovh/ovh"
      version = ">= 2.0.0"
    }
  }
}

# Credentials: OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY.
provider "ovh" {
  endpoint = "ovh-eu"
}

resource "ovh_dedicated_server_reinstall_task" "byoi" {
  service_name = "ns1234567.ip-51-91-0.eu"
  os           = "byoi_64"
  customizations {
    image_url            = "https://images.example.com/debian-12.qcow2?sig=abc&exp=1"
    image_type           = "qcow2"
    image_check_sum      = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    image_check_sum_type = "sha256"
    http_headers = {
      "Authorization" = "••••••"
      "X-Tenant"      = "••••••"
    }
    config_drive_user_data = "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIHZpbQo="
    config_drive_metadata = {
      "role"        = "web"
      "instance-id" = "web-1"
    }
    efi_bootloader_path = "\\efi\\debian\\grubx64.efi"
    hostname            = "web-1"
    ssh_key             = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop"
  }
}`);
    const terraform = result.snippets.find((s) => s.kind === 'terraform');
    expect(terraform?.warnings).toEqual([TERRAFORM_STATE_WARNING]);
    expect(TERRAFORM_STATE_WARNING).toMatch(/does not mark http_headers as sensitive/);
    expect(TERRAFORM_STATE_WARNING).toMatch(/unmasked in the Terraform state/);
    expect(TERRAFORM_STATE_WARNING).toMatch(/encrypted/);
    expect(TERRAFORM_STATE_WARNING).toMatch(/short-lived signed URL/);
  });
});

describe('the ovhcloud CLI without config drive metadata', () => {
  it('uses one flag per field set, shell-quoted', () => {
    expect(textOf(snippetsOf(withoutMetadata()), 'ovhcloud-cli'))
      .toBe(String.raw`# Credentials: ${'`ovhcloud login`'}, ~/.ovh.conf, or OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY in the environment.
OVH_ENDPOINT=ovh-eu ovhcloud baremetal reinstall ns1234567.ip-51-91-0.eu \
  --os byoi_64 \
  --image-url 'https://images.example.com/debian-12.qcow2?sig=abc&exp=1' \
  --image-type qcow2 \
  --image-checksum 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 \
  --image-checksum-type sha256 \
  --http-headers 'Authorization=••••••' \
  --http-headers 'X-Tenant=••••••' \
  --config-drive-user-data I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIHZpbQo= \
  --efi-bootloader-path '\efi\debian\grubx64.efi' \
  --hostname web-1 \
  --ssh-key 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop'`);
  });

  it('leaves config_drive_metadata out of Terraform', () => {
    const terraform = textOf(snippetsOf(withoutMetadata()), 'terraform');
    expect(terraform).not.toContain('config_drive_metadata');
    expect(terraform).toContain('config_drive_user_data');
  });
});

describe('snippets for a minimal reinstall form', () => {
  const result = snippetsOf(minimalReinstall());

  it('CLI: only the flags whose value is set', () => {
    expect(textOf(result, 'ovhcloud-cli').split('\n').slice(1).join('\n'))
      .toBe(String.raw`OVH_ENDPOINT=ovh-eu ovhcloud baremetal reinstall ns1234567.ip-51-91-0.eu \
  --os byoi_64 \
  --image-url https://images.example.com/a.raw \
  --image-type raw \
  --efi-bootloader-path '\efi\debian\grubx64.efi'`);
  });

  it('Terraform: only the attributes whose value is set', () => {
    expect(textOf(result, 'terraform').split('resource ')[1])
      .toBe(String.raw`"ovh_dedicated_server_reinstall_task" "byoi" {
  service_name = "ns1234567.ip-51-91-0.eu"
  os           = "byoi_64"
  customizations {
    image_url           = "https://images.example.com/a.raw"
    image_type          = "raw"
    efi_bootloader_path = "\\efi\\debian\\grubx64.efi"
  }
}`);
  });

  it('python-ovh and node-ovh carry the three fields', () => {
    expect(textOf(result, 'python-ovh')).toContain(String.raw`    customizations={
        'imageURL': 'https://images.example.com/a.raw',
        'imageType': 'raw',
        'efiBootloaderPath': '\\efi\\debian\\grubx64.efi',
    },
)`);
    expect(textOf(result, 'node-ovh')).toContain(
      `ovh.requestPromised('POST', '/dedicated/server/${SN}/reinstall', {`,
    );
    expect(textOf(result, 'http')).toContain(`POST /dedicated/server/${SN}/reinstall\n`);
  });

  it('has no masking note when there is no header', () => {
    expect(result.notes).toEqual([]);
  });
});

describe('snippets for install/start', () => {
  it('a full form: HTTP, node-ovh and python-ovh only, and why not the other two', () => {
    const result = snippetsOf(fullInstallStart());
    expect(result.path).toBe(`/dedicated/server/${SN}/install/start`);
    expect(result.snippets.map((s) => s.kind)).toEqual(['http', 'node-ovh', 'python-ovh']);
    expect(result.unavailable.map((u) => [u.kind, u.reason])).toEqual([
      [
        'ovhcloud-cli',
        'The ovhcloud CLI only knows the reinstall route (ovhcloud baremetal reinstall).',
      ],
      [
        'terraform',
        'terraform-provider-ovh 2.0 and later only knows the reinstall route (ovh_dedicated_server_reinstall_task).',
      ],
    ]);
    expect(result.notes).toContain(INSTALL_START_NOTICE);
    expect(INSTALL_START_NOTICE).toContain('7 October 2025');
    expect(textOf(result, 'python-ovh')).toContain(String.raw`task = client.post(
    '/dedicated/server/ns1234567.ip-51-91-0.eu/install/start',
    details={
        'customHostname': 'web-1',
    },
    templateName='byoi_64',
    userMetadata=[
        {
            'key': 'imageURL',
            'value': 'https://images.example.com/a.raw',
        },`);
    expect(textOf(result, 'python-ovh')).toContain(`'key': 'httpHeaders0Value',
            'value': '••••••',`);
  });

  it('a minimal form: exact node-ovh and HTTP request', () => {
    const result = snippetsOf(minimalInstallStart());
    expect(textOf(result, 'http')).toBe(`POST /dedicated/server/${SN}/install/start
Content-Type: application/json

{
  "templateName": "byoi_64",
  "userMetadata": [
    {
      "key": "imageURL",
      "value": "https://images.example.com/a.raw"
    },
    {
      "key": "imageType",
      "value": "raw"
    }
  ]
}`);
    expect(textOf(result, 'node-ovh'))
      .toContain(`  const task = await ovh.requestPromised('POST', '/dedicated/server/${SN}/install/start', {
    "templateName": "byoi_64",
    "userMetadata": [
      {
        "key": "imageURL",
        "value": "https://images.example.com/a.raw"
      },
      {
        "key": "imageType",
        "value": "raw"
      }
    ]
  });`);
    expect(result.notes).toEqual([INSTALL_START_NOTICE]);
  });
});

describe('endpoint', () => {
  it('the simulator: ovh-eu, said to be an example', () => {
    const result = snippetsOf(minimalReinstall(), 'simulator');
    expect(result.endpoint).toBe('ovh-eu');
    expect(result.endpointIsExample).toBe(true);
    expect(result.notes[0]).toMatch(/simulator: ovh-eu is only an example endpoint/);
    expect(textOf(result, 'node-ovh')).toContain("endpoint: 'ovh-eu',");
  });

  it('no endpoint known yet: the same example', () => {
    const result = buildApiSnippets(minimalReinstall(), { serverName: SN, endpoint: undefined });
    expect(result.endpointIsExample).toBe(true);
    expect(result.endpoint).toBe('ovh-eu');
  });

  it('a real endpoint goes into every snippet that names one', () => {
    const result = snippetsOf(minimalReinstall(), 'ovh-ca');
    expect(result.endpointIsExample).toBe(false);
    expect(result.notes).toEqual([]);
    expect(textOf(result, 'node-ovh')).toContain("endpoint: 'ovh-ca',");
    expect(textOf(result, 'python-ovh')).toContain("endpoint='ovh-ca',");
    expect(textOf(result, 'ovhcloud-cli')).toContain('OVH_ENDPOINT=ovh-ca ovhcloud');
    expect(textOf(result, 'terraform')).toContain('endpoint = "ovh-ca"');
    expect(result.snippets[0]?.notes[0]).toMatch(
      /^The path is relative to https:\/\/ca\.api\.ovh\.com\/1\.0\./,
    );
  });
});

// ---- quoting ----

describe('quoting', () => {
  it('shellQuote: sh reads back exactly the value, whatever it holds', () => {
    for (const value of HOSTILE) {
      const word = shellQuote(value);
      expect(execFileSync('sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' })).toBe(value);
    }
    expect(shellQuote('byoi_64')).toBe('byoi_64');
    expect(shellQuote(EFI)).toBe(String.raw`'\efi\debian\grubx64.efi'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('hclString: backslashes, quotes, newlines, and template sequences doubled', () => {
    expect(hclString(EFI)).toBe(String.raw`"\\efi\\debian\\grubx64.efi"`);
    expect(hclString('say "hi"\n')).toBe(String.raw`"say \"hi\"\n"`);
    expect(hclString('${var.x}')).toBe('"$${var.x}"');
    expect(hclString('%{ if true }')).toBe('"%%{ if true }"');
    // Already doubled in the value: doubled again, so Terraform gives back `$${` and `%%{`.
    expect(hclString('$${a} %%{b}')).toBe('"$$${a} %%%{b}"');
    expect(hclString('$ and % alone, ${')).toBe('"$ and % alone, $${"');
    expect(hclString('\\${a}')).toBe('"\\\\$${a}"');
    expect(hclString('tab\tcr\r\u0001\u2028')).toBe(String.raw`"tab\tcr\r\u0001\u2028"`);
  });

  it('pythonString: a literal Python reads back as the value', () => {
    expect(pythonString(EFI)).toBe(String.raw`'\\efi\\debian\\grubx64.efi'`);
    expect(pythonString(`it's "x"\n`)).toBe(String.raw`'it\'s "x"\n'`);
    expect(pythonString('\u0001\u007f\u0085\u2028 ${x}')).toBe("'\\x01\\x7f\\x85\\u2028 ${x}'");
  });
});

describe('hostile values', () => {
  const result = snippetsOf(hostileReinstall());

  it('node-ovh sends exactly the (masked) body, to the right path and endpoint', async () => {
    const [call, ...more] = await runNodeOvh(textOf(result, 'node-ovh'));
    expect(more).toEqual([]);
    expect(call).toEqual({
      config: {
        endpoint: 'ovh-eu',
        appKey: '<APPLICATION_KEY>',
        appSecret: '<APPLICATION_SECRET>',
        consumerKey: '<CONSUMER_KEY>',
      },
      method: 'POST',
      path: `/dedicated/server/${SN}/reinstall`,
      body: wireBody(hostileReinstall()),
    });
  });

  it('the CLI script writes exactly the (masked) body to reinstall.json', () => {
    const run = runCli(textOf(result, 'ovhcloud-cli'));
    expect(run.endpoint).toBe('ovh-eu');
    expect(run.args).toEqual(['baremetal', 'reinstall', SN, '--from-file', 'reinstall.json']);
    expect(run.file).toEqual(wireBody(hostileReinstall()));
  });

  it('the CLI flags carry exactly the (masked) values when no field needs the file', () => {
    const request = hostileReinstall() as Extract<InstallRequest, { path: '/reinstall' }>;
    delete request.body.customizations.configDriveMetadata;
    const run = runCli(textOf(snippetsOf(request), 'ovhcloud-cli'));
    expect(run.file).toBeUndefined();
    const parsed = bodyFromFlags(run.args);
    expect(parsed.command).toBe('baremetal reinstall');
    expect(parsed.serverName).toBe(SN);
    expect(parsed.body).toEqual(wireBody(request));
  });

  it('python-ovh and Terraform escape every value', () => {
    const python = textOf(result, 'python-ovh');
    const terraform = textOf(result, 'terraform');
    for (const [i, value] of HOSTILE.entries()) {
      expect(python).toContain(`'${keyOf(i)}': ${pythonString(value)},`);
      expect(terraform).toContain(`"${keyOf(i)}" = ${hclString(value)}\n`);
    }
    // A raw line break inside a value would end the string: every value sits on its key's line.
    expect(terraform).toContain(String.raw`"key-d" = "line one\nline two\r\nline three\ttab"`);
    expect(terraform).toContain('"key-e" = "$${var.secret} and %%{ if true }x%%{ endif }"');
    expect(terraform).toContain('"key-g" = "\\\\$${escaped?}"');
    expect(python).toContain(String.raw`'key-a': 'it\'s "quoted"',`);
  });

  it('a server name that needs encoding: encoded in the path, verbatim as the service name', () => {
    const odd = buildApiSnippets(minimalReinstall(), { serverName: 'ns 1/2', endpoint: 'ovh-eu' });
    expect(odd.path).toBe('/dedicated/server/ns%201%2F2/reinstall');
    expect(textOf(odd, 'terraform')).toContain('service_name = "ns 1/2"');
    expect(textOf(odd, 'ovhcloud-cli')).toContain("ovhcloud baremetal reinstall 'ns 1/2' \\");
  });
});

// ---- secrets and completeness ----

describe('header values', () => {
  for (const [name, request] of [
    ['reinstall', fullReinstall],
    ['reinstall without metadata (CLI flags)', withoutMetadata],
    ['install/start', fullInstallStart],
  ] as const) {
    it(`are never printed unmasked, even from an unmasked request: ${name}`, () => {
      const input = request();
      const result = snippetsOf(input);
      for (const snippet of result.snippets) {
        expect(snippet.text).not.toContain('s3cret');
        expect(snippet.text).toContain(MASK);
      }
      expect(JSON.stringify(result)).not.toContain('s3cret');
      // The caller's object is left as it was.
      expect(JSON.stringify(input)).toContain(SECRET);
    });
  }

  it('a header name the --http-headers flag cannot carry sends the CLI to --from-file', () => {
    const request = withoutMetadata();
    request.body.customizations.httpHeaders = { 'X-A,B': SECRET };
    const cli = snippetsOf(request).snippets.find((s) => s.kind === 'ovhcloud-cli');
    expect(cli?.text).toContain('--from-file reinstall.json');
    expect(cli?.notes).toContain(
      '--http-headers cannot carry one of these header names, so the whole request body goes through --from-file reinstall.json.',
    );
    expect(runCli(cli?.text ?? '').file).toEqual(wireBody(request));
  });
});

describe('never a field dropped', () => {
  it('a field the CLI and this file do not know: CLI via the file, Terraform names it', () => {
    const request = withoutMetadata();
    (request.body.customizations as unknown as Record<string, unknown>).futureField = 'x';
    const result = snippetsOf(request);
    expect(runCli(textOf(result, 'ovhcloud-cli')).file).toEqual(wireBody(request));
    expect(textOf(result, 'terraform')).toMatch(/\n {4}future_field += "x"\n/);
  });

  it('a top-level field beside customizations is kept too', () => {
    const request = withoutMetadata();
    (request.body as unknown as Record<string, unknown>).properties = { a: 'b' };
    const result = snippetsOf(request);
    expect(runCli(textOf(result, 'ovhcloud-cli')).file).toEqual(wireBody(request));
    expect(textOf(result, 'terraform')).toContain('  properties = {\n    "a" = "b"\n  }\n');
  });

  it('from real forms, on both routes, the SDK snippets send what the console sends', async () => {
    const input = {
      imageURL: 'https://images.example.com/a.qcow2',
      imageType: 'qcow2',
      imageCheckSum: CHECKSUM,
      imageCheckSumType: 'sha256',
      httpHeaders: [{ name: 'Authorization', value: SECRET }],
      configDriveUserData: '#cloud-config\npackages:\n  - vim\n',
      configDriveMetadata: [{ key: 'role', value: 'web' }],
      customHostname: 'web-1',
      sshKey: SSH,
      efiBootloaderPath: EFI,
    };
    for (const route of ['reinstall', 'install-start'] as const) {
      const request = buildInstallPayload(route, byoiFormSchemaFor(route).parse(input));
      const result = snippetsOf(request);
      const [call] = await runNodeOvh(textOf(result, 'node-ovh'));
      expect(call?.body).toEqual(wireBody(request));
      expect(JSON.parse(textOf(result, 'http').split('\n\n')[1]!)).toEqual(wireBody(request));
      if (route === 'reinstall') {
        expect(runCli(textOf(result, 'ovhcloud-cli')).file).toEqual(wireBody(request));
      }
    }
  });
});
