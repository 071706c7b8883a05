/**
 * Config Drive user data: what kind it is, whether its `#cloud-config` YAML is sound, and the
 * base64 transport OVH recommends. Browser-safe (no Node `Buffer`): the web editor uses it too.
 */
import { isMap, parseDocument } from 'yaml';

export type UserDataKind = 'empty' | 'cloud-config' | 'script' | 'unknown';

export type CloudConfigCheck = { ok: true } | { ok: false; line: number | null; message: string };

const CLOUD_CONFIG_HEADER = '#cloud-config';
const SCRIPT_HEADER = '#!';

/** cloud-init looks at the very first bytes, so leading blanks make the header unrecognisable. */
export function detectUserDataKind(text: string): UserDataKind {
  if (text.trim() === '') return 'empty';
  if (text.startsWith(CLOUD_CONFIG_HEADER)) return 'cloud-config';
  if (text.startsWith(SCRIPT_HEADER)) return 'script';
  return 'unknown';
}

/** yaml's messages end with " at line L, column C:" and a code excerpt; the line is reported apart. */
function firstSentence(yamlMessage: string): string {
  const firstLine = yamlMessage.split('\n', 1)[0] ?? yamlMessage;
  return firstLine.replace(/ at line \d+, column \d+:?$/, '');
}

export function checkCloudConfig(text: string): CloudConfigCheck {
  if (!text.startsWith(CLOUD_CONFIG_HEADER)) {
    return {
      ok: false,
      line: 1,
      message: 'The first line must be exactly #cloud-config for cloud-init to read this as YAML.',
    };
  }
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line ?? null;
    const where = line === null ? '' : ` at line ${line}`;
    return {
      ok: false,
      line,
      message: `The #cloud-config YAML is invalid${where}: ${firstSentence(error.message)}. Check the indentation (spaces, not tabs) and quoting on that line.`,
    };
  }
  if (!isMap(doc.contents)) {
    const line = doc.contents?.range ? lineOf(text, doc.contents.range[0]) : null;
    return {
      ok: false,
      line,
      message:
        doc.contents === null
          ? 'The #cloud-config has no settings. Add at least one "key: value" line after the header, e.g. "packages: [htop]".'
          : 'The #cloud-config YAML must be a mapping of "key: value" lines (e.g. "hostname: web1"), not a list or a single value.',
    };
  }
  return { ok: true };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** UTF-8 text → base64, as OVH recommends for `configDriveUserData`. */
export function encodeUserData(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * OVH accepts user data plain or base64. A value is taken as base64 only when it decodes to valid
 * UTF-8 starting with a header cloud-init understands; anything else is plain text as sent.
 */
export function decodeUserData(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) return value;
  const binary = atob(compact);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
  return decoded.startsWith(CLOUD_CONFIG_HEADER) || decoded.startsWith(SCRIPT_HEADER)
    ? decoded
    : value;
}

/** Size as cloud-init and OVH count it: UTF-8 bytes, not JavaScript characters. */
export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
