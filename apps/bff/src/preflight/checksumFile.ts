/**
 * Reads a `SHA256SUMS`-style file (what `sha256sum`, `shasum` and BSD `sha256 -r`/`openssl dgst`
 * write) and finds the line for one file name, so the operator can paste the file's URL instead
 * of copying a 64-character checksum by hand.
 */
import { CHECKSUM_HEX_LENGTH, inferChecksumType, type ChecksumType } from '@byoi/shared';

export interface ChecksumFileMatch {
  checksum: string;
  type: ChecksumType;
  /** The line as it appears in the file (trimmed), so the operator can see what was used. */
  matchedLine: string;
}

interface Entry {
  name: string;
  checksum: string;
  type: ChecksumType;
  line: string;
}

// GNU coreutils: `<hex>  <name>` (text mode) or `<hex> *<name>` (binary mode); a leading `\`
// means the name has `\\` / `\n` escapes.
const GNU_LINE = /^(\\?)([0-9a-fA-F]+) [ *](.+)$/;
// BSD / openssl: `SHA256 (name) = <hex>`, also `SHA256(name)= <hex>`.
const BSD_LINE =
  /^(MD5|SHA1|SHA-?256|SHA-?512|SHA2-256|SHA2-512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)$/i;

const BSD_TAGS: Record<string, ChecksumType> = {
  MD5: 'md5',
  SHA1: 'sha1',
  SHA256: 'sha256',
  'SHA-256': 'sha256',
  'SHA2-256': 'sha256',
  SHA512: 'sha512',
  'SHA-512': 'sha512',
  'SHA2-512': 'sha512',
};

function unescapeGnu(name: string): string {
  return name.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

function parseLine(raw: string): Entry | null {
  const line = raw.trim();
  const bsd = BSD_LINE.exec(line);
  if (bsd) {
    const type = BSD_TAGS[(bsd[1] ?? '').toUpperCase()];
    const checksum = (bsd[3] ?? '').toLowerCase();
    if (!type || checksum.length !== CHECKSUM_HEX_LENGTH[type]) return null;
    return { name: bsd[2] ?? '', checksum, type, line };
  }
  const gnu = GNU_LINE.exec(line);
  if (gnu) {
    const checksum = (gnu[2] ?? '').toLowerCase();
    const type = inferChecksumType(checksum);
    if (!type) return null;
    const name = gnu[1] === '\\' ? unescapeGnu(gnu[3] ?? '') : (gnu[3] ?? '');
    return { name, checksum, type, line };
  }
  return null;
}

/** `./a/b.raw` → `a/b.raw`. */
function clean(name: string): string {
  return name.replace(/^(\.\/)+/, '');
}

function basename(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The file name an image URL ends with, as it would appear in a checksum file. */
export function imageFileName(imageURL: string): string {
  const path = new URL(imageURL).pathname;
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * The checksum listed for `imageFileName`, or null when no line names it. An exact name wins over
 * a line whose path merely ends with that name (`images/debian.raw` for `debian.raw`).
 */
export function findChecksumInFile(text: string, imageFileName: string): ChecksumFileMatch | null {
  const wanted = clean(imageFileName);
  const entries = text
    .split(/\r?\n/)
    .map(parseLine)
    .filter((e): e is Entry => e !== null);
  const exact = entries.find((e) => clean(e.name) === wanted);
  const byBasename = entries.find((e) => basename(clean(e.name)) === basename(wanted));
  const hit = exact ?? byBasename;
  return hit ? { checksum: hit.checksum, type: hit.type, matchedLine: hit.line } : null;
}
