/**
 * Copyable equivalents of the OVH request the console sends: the raw HTTP request, node-ovh,
 * python-ovh, the ovhcloud CLI and Terraform. Pure and browser-safe. Every builder masks HTTP
 * header values itself, whatever it is handed: a snippet is text meant to be pasted elsewhere.
 */
import {
  maskPayloadSecrets,
  type InstallRequest,
  type InstallStartPayload,
  type ReinstallCustomizations,
  type ReinstallPayload,
} from './payload.ts';

export type SnippetKind = 'http' | 'node-ovh' | 'python-ovh' | 'ovhcloud-cli' | 'terraform';

export interface Snippet {
  kind: SnippetKind;
  /** Short name for a tab or a heading, e.g. `Terraform`. */
  label: string;
  /** The text to copy, complete. */
  text: string;
  /** How to run `text`, shown next to it. */
  notes: string[];
  /** Risks of running `text`, shown next to it as warnings. */
  warnings: string[];
}

export interface SnippetTarget {
  /** The server's service name, e.g. `ns1234567.ip-51-91-0.eu`. */
  serverName: string;
  /** `ovh-eu`, `ovh-ca`, `ovh-us`, …; `simulator` or nothing when there is no real endpoint. */
  endpoint: string | undefined;
}

export interface ApiSnippets {
  method: 'POST';
  /** The API path, the server name URL-encoded as the BFF sends it. */
  path: string;
  /** The endpoint the snippets name. */
  endpoint: string;
  /** True when the console has no real endpoint and `endpoint` is only an example. */
  endpointIsExample: boolean;
  /** Notes about every snippet at once (example endpoint, masked values, the route's end). */
  notes: string[];
  snippets: Snippet[];
  /** Tools that have no equivalent for this route, and why. */
  unavailable: { kind: SnippetKind; label: string; reason: string }[];
}

export const EXAMPLE_ENDPOINT = 'ovh-eu';

/** API roots of the endpoint names node-ovh 3.0.0 knows (its `lib/endpoints.js`). */
const API_ROOTS: Record<string, string> = {
  'ovh-eu': 'https://eu.api.ovh.com/1.0',
  'ovh-ca': 'https://ca.api.ovh.com/1.0',
  'ovh-us': 'https://api.us.ovhcloud.com/1.0',
  'sys-eu': 'https://eu.api.soyoustart.com/1.0',
  'sys-ca': 'https://ca.api.soyoustart.com/1.0',
  'soyoustart-eu': 'https://eu.api.soyoustart.com/1.0',
  'soyoustart-ca': 'https://ca.api.soyoustart.com/1.0',
  'ks-eu': 'https://eu.api.kimsufi.com/1.0',
  'ks-ca': 'https://ca.api.kimsufi.com/1.0',
  'kimsufi-eu': 'https://eu.api.kimsufi.com/1.0',
  'kimsufi-ca': 'https://ca.api.kimsufi.com/1.0',
};

export const TERRAFORM_STATE_WARNING =
  'terraform-provider-ovh does not mark http_headers as sensitive: the real header values you ' +
  'put in end up unmasked in the Terraform state. Keep the state encrypted, or serve the image ' +
  'without credentials (or from a short-lived signed URL).';

export const INSTALL_START_NOTICE =
  'OVH decommissioned install/start on 7 October 2025: real OVH accounts need the reinstall route.';

// ---- quoting ----

/** A POSIX shell word that stands for exactly `value`, whatever it holds (quotes, `\`, newlines). */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const hex = (code: number, width: number) => code.toString(16).padStart(width, '0');

/** Controls, DEL, C1 controls and the Unicode line and paragraph separators: never raw. */
const isUnprintable = (code: number) =>
  code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;

function escapeWith(
  value: string,
  simple: Record<string, string>,
  other: (code: number) => string,
) {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    out += simple[char] ?? (isUnprintable(code) ? other(code) : char);
  }
  return out;
}

const C_ESCAPES = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A quoted HCL string (a template) whose value is exactly `value`: `${` and `%{` would start an
 * interpolation or a directive, so they are doubled (`$${`, `%%{`), HCL's own escapes.
 */
export function hclString(value: string): string {
  const escaped = escapeWith(value, { ...C_ESCAPES, '"': '\\"' }, (code) => `\\u${hex(code, 4)}`);
  // A function replacement: in a replacement string, `$$` would mean one `$`.
  return `"${escaped.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{')}"`;
}

/** A single-quoted Python 3 string literal whose value is exactly `value`. */
export function pythonString(value: string): string {
  const escaped = escapeWith(value, { ...C_ESCAPES, "'": "\\'" }, (code) =>
    code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`,
  );
  return `'${escaped}'`;
}

/** A single-quoted JavaScript string literal whose value is exactly `value`. */
function jsString(value: string): string {
  const escaped = escapeWith(value, { ...C_ESCAPES, "'": "\\'" }, (code) => `\\u${hex(code, 4)}`);
  return `'${escaped}'`;
}

// ---- values as literals ----

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Indents every line but the first, for a literal that continues an already indented line. */
const indentRest = (text: string, indent: string) => text.replaceAll('\n', `\n${indent}`);

function pythonLiteral(value: Json, indent = ''): string {
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return 'None';
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${pythonLiteral(item, inner)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(
    ([k, v]) => `${inner}${pythonString(k)}: ${pythonLiteral(v, inner)},\n`,
  );
  return `{\n${lines.join('')}${indent}}`;
}

/** `terraform fmt` layout: the `=` of consecutive one-line attributes line up. */
function hclAttributes(rows: [name: string, value: string][], indent: string): string[] {
  const lines: string[] = [];
  let run: [string, string][] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([name]) => name.length));
    for (const [name, value] of run) lines.push(`${indent}${name.padEnd(width)} = ${value}`);
    run = [];
  };
  for (const [name, value] of rows) {
    if (value.includes('\n')) {
      // A multi-line value stands alone: fmt aligns neither it nor across it.
      flush();
      lines.push(`${indent}${name} = ${value}`);
    } else {
      run.push([name, value]);
    }
  }
  flush();
  return lines;
}

function hclValue(value: Json, indent: string): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${hclValue(item, inner)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const rows = entries.map(([k, v]): [string, string] => [hclString(k), hclValue(v, inner)]);
  return `{\n${hclAttributes(rows, inner).join('\n')}\n${indent}}`;
}

// ---- the snippets ----

interface Context {
  request: InstallRequest;
  /** `/dedicated/server/<sn>/reinstall`, the name URL-encoded. */
  path: string;
  serverName: string;
  endpoint: string;
}

function httpSnippet({ request, path, endpoint }: Context): Snippet {
  const root = API_ROOTS[endpoint];
  return {
    kind: 'http',
    label: 'HTTP request',
    text: [
      `POST ${path}`,
      'Content-Type: application/json',
      '',
      JSON.stringify(request.body, null, 2),
    ].join('\n'),
    notes: [
      `${root ? `The path is relative to ${root}. ` : ''}OVH also requires the signature ` +
        'headers X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp and X-Ovh-Signature: ' +
        'the SDKs compute them for you.',
    ],
    warnings: [],
  };
}

function nodeOvhSnippet({ request, path, endpoint }: Context): Snippet {
  const body = indentRest(JSON.stringify(request.body, null, 2), '  ');
  return {
    kind: 'node-ovh',
    label: 'node-ovh',
    text: [
      "const ovh = require('@ovhcloud/node-ovh')({",
      `  endpoint: ${jsString(endpoint)},`,
      "  appKey: '<APPLICATION_KEY>',",
      "  appSecret: '<APPLICATION_SECRET>',",
      "  consumerKey: '<CONSUMER_KEY>',",
      '});',
      '',
      // A CommonJS script has no top-level await.
      'async function main() {',
      `  const task = await ovh.requestPromised('POST', ${jsString(path)}, ${body});`,
      '  console.log(task);',
      '}',
      '',
      'main().catch((error) => {',
      '  console.error(error);',
      '  process.exitCode = 1;',
      '});',
    ].join('\n'),
    notes: [],
    warnings: [],
  };
}

const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except ' +
    'finally for from global if import in is lambda nonlocal not or pass raise return try while ' +
    'with yield'
  ).split(' '),
);

/** python-ovh strips one leading `_` from a keyword argument, so such names cannot be kwargs. */
const isPythonKwarg = (name: string) =>
  /^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name);

function pythonOvhSnippet({ request, path, endpoint }: Context): Snippet {
  const body = request.body as unknown as Record<string, Json>;
  const names = Object.keys(body);
  const call = names.every(isPythonKwarg)
    ? [
        'task = client.post(',
        `    ${pythonString(path)},`,
        ...names.map((name) => `    ${name}=${pythonLiteral(body[name] ?? null, '    ')},`),
        ')',
      ]
    : [`task = client.call('POST', ${pythonString(path)}, ${pythonLiteral(body)})`];
  return {
    kind: 'python-ovh',
    label: 'python-ovh',
    text: [
      'import ovh',
      '',
      'client = ovh.Client(',
      `    endpoint=${pythonString(endpoint)},`,
      "    application_key='<APPLICATION_KEY>',",
      "    application_secret='<APPLICATION_SECRET>',",
      "    consumer_key='<CONSUMER_KEY>',",
      ')',
      '',
      ...call,
      'print(task)',
    ].join('\n'),
    notes: [],
    warnings: [],
  };
}

type CustomizationKey = keyof ReinstallCustomizations;

/**
 * `ovhcloud baremetal reinstall` flags, in the CLI's help order. `null`: the CLI has no flag for
 * that field. Typed over every key, so a new customization cannot be forgotten here.
 */
const CLI_FLAGS: Record<CustomizationKey, string | null> = {
  imageURL: '--image-url',
  imageType: '--image-type',
  imageCheckSum: '--image-checksum',
  imageCheckSumType: '--image-checksum-type',
  httpHeaders: '--http-headers',
  configDriveUserData: '--config-drive-user-data',
  configDriveMetadata: null,
  efiBootloaderPath: '--efi-bootloader-path',
  hostname: '--hostname',
  sshKey: '--ssh-key',
};

const isCustomizationKey = (key: string): key is CustomizationKey => Object.hasOwn(CLI_FLAGS, key);

/**
 * `--http-headers` is a string-to-string flag: each `name=value` is split at its first `=` after
 * being read as a CSV record, so a name holding `=`, `,`, `"` or a line break cannot travel in it.
 */
const headerFitsFlag = (name: string, value: string) =>
  name !== '' && !/[=,"\r\n]/.test(name) && !/[,"\r\n]/.test(value);

/** Why the whole body must go through `--from-file`, when some field has no faithful flag. */
function fileReason(body: ReinstallPayload): string | undefined {
  const extra = Object.keys(body).filter((k) => k !== 'operatingSystem' && k !== 'customizations');
  if (extra.length > 0) return `The CLI has no flag for ${extra.join(', ')}`;
  for (const [key, value] of Object.entries(body.customizations)) {
    if (value === undefined) continue;
    if (key === 'configDriveMetadata') return 'The CLI has no flag for config drive metadata';
    if (!isCustomizationKey(key) || CLI_FLAGS[key] === null)
      return `The CLI has no flag for ${key}`;
    if (key === 'httpHeaders') {
      const headers = Object.entries(value as Record<string, string>);
      if (headers.some(([name, v]) => !headerFitsFlag(name, v))) {
        return '--http-headers cannot carry one of these header names';
      }
    } else if (typeof value !== 'string') {
      return `${CLI_FLAGS[key]} takes a string`;
    }
  }
  return undefined;
}

function cliSnippet({ request, serverName, endpoint }: Context): Snippet {
  const body = request.body as ReinstallPayload;
  const command = `OVH_ENDPOINT=${shellQuote(endpoint)} ovhcloud baremetal reinstall ${shellQuote(serverName)}`;
  const credentials =
    '# Credentials: `ovhcloud login`, ~/.ovh.conf, or OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET ' +
    'and OVH_CONSUMER_KEY in the environment.';
  const notes = [
    'The CLI asks you to type the server name before it wipes the disks (--yes skips that, for ' +
      'unattended runs only).',
  ];
  const reason = fileReason(body);
  let lines: string[];
  if (reason !== undefined) {
    // A quoted here-document is copied verbatim by the shell, and no line of the indented JSON
    // can be the bare delimiter.
    lines = [
      credentials,
      "cat > reinstall.json <<'EOF'",
      JSON.stringify(body, null, 2),
      'EOF',
      `${command} --from-file reinstall.json`,
    ];
    notes.push(`${reason}, so the whole request body goes through --from-file reinstall.json.`);
  } else {
    const flags: string[] = [`--os ${shellQuote(body.operatingSystem)}`];
    const c = body.customizations;
    for (const key of Object.keys(CLI_FLAGS) as CustomizationKey[]) {
      const flag = CLI_FLAGS[key];
      const value = c[key];
      if (flag === null || value === undefined) continue;
      if (typeof value === 'string') {
        flags.push(`${flag} ${shellQuote(value)}`);
      } else {
        for (const [name, header] of Object.entries(value)) {
          flags.push(`${flag} ${shellQuote(`${name}=${header}`)}`);
        }
      }
    }
    lines = [credentials, [command, ...flags].join(' \\\n  ')];
  }
  return {
    kind: 'ovhcloud-cli',
    label: 'ovhcloud CLI',
    text: lines.join('\n'),
    notes,
    warnings: [],
  };
}

/** `ovh_dedicated_server_reinstall_task` `customizations` attributes, typed over every key. */
const TERRAFORM_ATTRIBUTES: Record<CustomizationKey, string> = {
  imageURL: 'image_url',
  imageType: 'image_type',
  imageCheckSum: 'image_check_sum',
  imageCheckSumType: 'image_check_sum_type',
  httpHeaders: 'http_headers',
  configDriveUserData: 'config_drive_user_data',
  configDriveMetadata: 'config_drive_metadata',
  efiBootloaderPath: 'efi_bootloader_path',
  hostname: 'hostname',
  sshKey: 'ssh_key',
};

/** For a key this file does not know: the provider's naming, so Terraform refuses it out loud. */
const snakeCase = (key: string) => key.replace(/[A-Z]+/g, (upper) => `_${upper.toLowerCase()}`);

function terraformSnippet({ request, serverName, endpoint }: Context): Snippet {
  const body = request.body as ReinstallPayload;
  const c = body.customizations as unknown as Record<string, Json | undefined>;
  const known = Object.keys(TERRAFORM_ATTRIBUTES) as CustomizationKey[];
  const rows: [string, string][] = [];
  for (const key of [...known, ...Object.keys(c).filter((k) => !isCustomizationKey(k))]) {
    const value = c[key];
    if (value === undefined) continue;
    const name = isCustomizationKey(key) ? TERRAFORM_ATTRIBUTES[key] : snakeCase(key);
    rows.push([name, hclValue(value, '    ')]);
  }
  const top: [string, string][] = [
    ['service_name', hclString(serverName)],
    ['os', hclString(body.operatingSystem)],
  ];
  const extra = Object.entries(body as unknown as Record<string, Json>)
    .filter(([key]) => key !== 'operatingSystem' && key !== 'customizations')
    .map(([key, value]): [string, string] => [snakeCase(key), hclValue(value, '  ')]);
  return {
    kind: 'terraform',
    label: 'Terraform',
    text: [
      'terraform {',
      '  required_providers {',
      '    ovh = {',
      '      source  = "ovh/ovh"',
      '      version = ">= 2.0.0"',
      '    }',
      '  }',
      '}',
      '',
      '# Credentials: OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY.',
      'provider "ovh" {',
      `  endpoint = ${hclString(endpoint)}`,
      '}',
      '',
      'resource "ovh_dedicated_server_reinstall_task" "byoi" {',
      ...hclAttributes([...top, ...extra], '  '),
      '  customizations {',
      ...hclAttributes(rows, '    '),
      '  }',
      '}',
    ].join('\n'),
    notes: [],
    warnings: [TERRAFORM_STATE_WARNING],
  };
}

function hasHeaders(request: InstallRequest): boolean {
  if (request.path === '/reinstall') {
    return Object.keys(request.body.customizations.httpHeaders ?? {}).length > 0;
  }
  const body: InstallStartPayload = request.body;
  return body.userMetadata.some((entry) => /^httpHeaders\d+Key$/.test(entry.key));
}

/**
 * Every equivalent of `request` for the server and endpoint given. Header values come out masked
 * even when `request` was not.
 */
export function buildApiSnippets(request: InstallRequest, target: SnippetTarget): ApiSnippets {
  // What goes over the wire: node-ovh sends JSON.stringify(body), which drops undefined keys.
  const masked = JSON.parse(JSON.stringify(maskPayloadSecrets(request))) as InstallRequest;
  const real =
    target.endpoint === 'simulator' || target.endpoint === '' ? undefined : target.endpoint;
  const endpoint = real ?? EXAMPLE_ENDPOINT;
  const endpointIsExample = real === undefined;
  const context: Context = {
    request: masked,
    path: `/dedicated/server/${encodeURIComponent(target.serverName)}${masked.path}`,
    serverName: target.serverName,
    endpoint,
  };
  const notes: string[] = [];
  if (endpointIsExample) {
    notes.push(
      `The console runs against its simulator: ${EXAMPLE_ENDPOINT} is only an example endpoint, ` +
        "put your account's in (ovh-eu, ovh-ca or ovh-us).",
    );
  }
  if (hasHeaders(masked)) {
    notes.push(
      'HTTP header values are masked (••••••) in every snippet: type the real value in before ' +
        'you run one.',
    );
  }
  const reinstall = masked.path === '/reinstall';
  if (!reinstall) notes.push(INSTALL_START_NOTICE);
  return {
    method: 'POST',
    path: context.path,
    endpoint,
    endpointIsExample,
    notes,
    snippets: [
      httpSnippet(context),
      nodeOvhSnippet(context),
      pythonOvhSnippet(context),
      ...(reinstall ? [cliSnippet(context), terraformSnippet(context)] : []),
    ],
    unavailable: reinstall
      ? []
      : [
          {
            kind: 'ovhcloud-cli',
            label: 'ovhcloud CLI',
            reason:
              'The ovhcloud CLI only knows the reinstall route (ovhcloud baremetal reinstall).',
          },
          {
            kind: 'terraform',
            label: 'Terraform',
            reason:
              'terraform-provider-ovh 2.0 and later only knows the reinstall route ' +
              '(ovh_dedicated_server_reinstall_task).',
          },
        ],
  };
}
