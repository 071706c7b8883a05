/**
 * MBR and GPT partition table readers (UEFI spec §5). Little-endian fields; sectors assumed to be
 * 512 bytes, with a second look for a GPT at 4096 (4Kn disks).
 */
import { crc32 } from './crc32.ts';

export type PartitionKind =
  | 'efi-system'
  | 'bios-boot'
  | 'linux'
  | 'linux-swap'
  | 'microsoft-basic'
  | 'lvm'
  | 'raid'
  | 'other';

export interface PartitionEntry {
  /** 1-based, as `sgdisk -p` and `sfdisk -l` number them. */
  index: number;
  /** GPT type GUID (upper case) or MBR type byte as `0x83`. */
  type: string;
  kind: PartitionKind;
  name: string;
  firstLba: number;
  lastLba: number;
  sizeBytes: number;
  /** MBR only: the active flag (0x80). */
  bootable?: boolean;
}

export interface PartitionInfo {
  table: 'gpt' | 'mbr';
  /** The sector size the table was found with: LBAs are in these units (MBR: always 512). */
  sectorSize: 512 | 4096;
  /** GPT only (null for MBR): CRC32 of the primary header, computed with its CRC field zeroed. */
  gptHeaderCrcValid: boolean | null;
  /** GPT only: CRC32 of the partition entry array; null when the array lies beyond the bytes read. */
  gptEntriesCrcValid: boolean | null;
  diskGuid: string | null;
  entries: PartitionEntry[];
  /** Non-zero bytes in the first 440 bytes: code a BIOS would run. */
  mbrBootCode: boolean;
  uefiCapable: boolean;
  legacyCapable: boolean;
}

export const EFI_SYSTEM_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
export const BIOS_BOOT_GUID = '21686148-6449-6E6F-744E-656564454649';
export const LINUX_FILESYSTEM_GUID = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

const GPT_KINDS: Record<string, PartitionKind> = {
  [EFI_SYSTEM_GUID]: 'efi-system',
  [BIOS_BOOT_GUID]: 'bios-boot',
  [LINUX_FILESYSTEM_GUID]: 'linux',
  // Discoverable Partitions Specification: root (x86-64, aarch64), /usr, /home, /srv, /var, /var/tmp, XBOOTLDR.
  '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709': 'linux',
  'B921B045-1DF0-41C3-AF44-4C6F280D3FAE': 'linux',
  '8484680C-9521-48C6-9C11-B0720656F69E': 'linux',
  '933AC7E1-2EB4-4F13-B844-0E14E2AEF915': 'linux',
  '3B8F8425-20E0-4F3B-907F-1A25A76F98E8': 'linux',
  '4D21B016-B534-45C2-A9FB-5C16E091FD2D': 'linux',
  '7EC6F557-3BC5-4ACA-B293-16EF5DF639D1': 'linux',
  'BC13C2FF-59E6-4262-A352-B275FD6F7172': 'linux',
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F': 'linux-swap',
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': 'microsoft-basic',
  'E6D6D379-F507-44C2-A23C-238F2A3DF928': 'lvm',
  'A19D880F-05FC-4D3B-A006-743F0F84911E': 'raid',
};

const MBR_KINDS: Record<number, PartitionKind> = {
  0xef: 'efi-system',
  0x83: 'linux',
  0x82: 'linux-swap',
  0x8e: 'lvm',
  0xfd: 'raid',
  0x06: 'microsoft-basic',
  0x07: 'microsoft-basic',
  0x0b: 'microsoft-basic',
  0x0c: 'microsoft-basic',
  0x0e: 'microsoft-basic',
};

const MBR_ENTRIES_OFFSET = 446;
const BOOT_CODE_BYTES = 440;
const GPT_SIGNATURE = 'EFI PART';
const GPT_MIN_HEADER_SIZE = 92;
/** Refuse entry arrays larger than this: a sane GPT has 128 entries of 128 bytes (16 KiB). */
const MAX_GPT_ARRAY_BYTES = 1024 * 1024;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64le(v: DataView, offset: number): number {
  const value = v.getBigUint64(offset, true);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** GUIDs store their first three fields little-endian, the last two as plain bytes. */
export function formatGuid(bytes: Uint8Array): string {
  const le = (from: number, to: number) => hex(bytes.slice(from, to).reverse());
  return [le(0, 4), le(4, 6), le(6, 8), hex(bytes.subarray(8, 10)), hex(bytes.subarray(10, 16))]
    .join('-')
    .toUpperCase();
}

function hasBootSignature(head: Uint8Array): boolean {
  return head.byteLength >= 512 && head[510] === 0x55 && head[511] === 0xaa;
}

function hasBootCode(head: Uint8Array): boolean {
  return head.subarray(0, Math.min(BOOT_CODE_BYTES, head.byteLength)).some((b) => b !== 0);
}

function capabilities(entries: PartitionEntry[], mbrBootCode: boolean) {
  return {
    uefiCapable: entries.some((e) => e.kind === 'efi-system'),
    legacyCapable: mbrBootCode || entries.some((e) => e.kind === 'bios-boot'),
  };
}

/** The four primary MBR entries, or null when the sector is not a sane partition table. */
function readMbrEntries(head: Uint8Array): PartitionEntry[] | null {
  if (!hasBootSignature(head)) return null;
  const v = view(head);
  const entries: PartitionEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const at = MBR_ENTRIES_OFFSET + i * 16;
    const status = head[at]!;
    const type = head[at + 4]!;
    const firstLba = v.getUint32(at + 8, true);
    const sectors = v.getUint32(at + 12, true);
    // A boot flag other than 0x00/0x80 means these bytes are code or a filesystem's boot sector, not a table.
    if (status !== 0x00 && status !== 0x80) return null;
    if (type === 0 && sectors === 0) continue;
    if (type === 0 || sectors === 0 || firstLba === 0) return null;
    entries.push({
      index: i + 1,
      type: `0x${type.toString(16).padStart(2, '0')}`,
      // Extended partitions (0x05, 0x0f, 0x85) stay 'other': their logical partitions are not followed.
      kind: MBR_KINDS[type] ?? 'other',
      name: '',
      firstLba,
      lastLba: firstLba + sectors - 1,
      sizeBytes: sectors * 512,
      bootable: status === 0x80,
    });
  }
  return entries.length > 0 ? entries : null;
}

function readGpt(head: Uint8Array, sectorSize: 512 | 4096): PartitionInfo | null {
  const headerAt = sectorSize;
  if (head.byteLength < headerAt + GPT_MIN_HEADER_SIZE) return null;
  const signature = String.fromCharCode(...head.subarray(headerAt, headerAt + 8));
  if (signature !== GPT_SIGNATURE) return null;

  const v = view(head);
  const headerSize = v.getUint32(headerAt + 12, true);
  const storedHeaderCrc = v.getUint32(headerAt + 16, true);
  let gptHeaderCrcValid = false;
  if (
    headerSize >= GPT_MIN_HEADER_SIZE &&
    headerSize <= sectorSize &&
    headerAt + headerSize <= head.byteLength
  ) {
    const header = head.slice(headerAt, headerAt + headerSize);
    header.fill(0, 16, 20);
    gptHeaderCrcValid = crc32(header) === storedHeaderCrc;
  }

  const entriesLba = u64le(v, headerAt + 72);
  const entryCount = v.getUint32(headerAt + 80, true);
  const entrySize = v.getUint32(headerAt + 84, true);
  const storedEntriesCrc = v.getUint32(headerAt + 88, true);
  const arrayBytes = entryCount * entrySize;
  const arrayAt = entriesLba * sectorSize;
  const saneArray = entrySize >= 128 && entrySize % 8 === 0 && arrayBytes <= MAX_GPT_ARRAY_BYTES;

  let gptEntriesCrcValid: boolean | null = null;
  const entries: PartitionEntry[] = [];
  if (!saneArray) {
    gptEntriesCrcValid = false;
  } else if (arrayAt + arrayBytes <= head.byteLength) {
    const array = head.subarray(arrayAt, arrayAt + arrayBytes);
    gptEntriesCrcValid = crc32(array) === storedEntriesCrc;
    const av = view(array);
    const names = new TextDecoder('utf-16le');
    for (let i = 0; i < entryCount; i++) {
      const at = i * entrySize;
      const typeBytes = array.subarray(at, at + 16);
      if (typeBytes.every((b) => b === 0)) continue; // unused slot
      const type = formatGuid(typeBytes);
      const firstLba = u64le(av, at + 32);
      const lastLba = u64le(av, at + 40);
      const name = names.decode(array.subarray(at + 56, at + 128)).replace(/\0.*$/s, '');
      entries.push({
        index: i + 1,
        type,
        kind: GPT_KINDS[type] ?? 'other',
        name,
        firstLba,
        lastLba,
        sizeBytes: lastLba >= firstLba ? (lastLba - firstLba + 1) * sectorSize : 0,
      });
    }
  }

  const mbrBootCode = hasBootCode(head);
  return {
    table: 'gpt',
    sectorSize,
    gptHeaderCrcValid,
    gptEntriesCrcValid,
    diskGuid: formatGuid(head.subarray(headerAt + 56, headerAt + 72)),
    entries,
    mbrBootCode,
    ...capabilities(entries, mbrBootCode),
  };
}

/** A GPT (its primary header at LBA 1 for 512- or 4096-byte sectors), else a sane MBR, else null. */
export function readPartitionTable(head: Uint8Array): PartitionInfo | null {
  const gpt = readGpt(head, 512) ?? readGpt(head, 4096);
  if (gpt) return gpt;
  const entries = readMbrEntries(head);
  if (!entries) return null;
  const mbrBootCode = hasBootCode(head);
  return {
    table: 'mbr',
    sectorSize: 512,
    gptHeaderCrcValid: null,
    gptEntriesCrcValid: null,
    diskGuid: null,
    entries,
    mbrBootCode,
    ...capabilities(entries, mbrBootCode),
  };
}
