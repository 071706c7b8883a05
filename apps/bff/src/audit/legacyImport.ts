/**
 * Before the store, each replica kept its audit log in a JSON-lines file (AUDIT_LOG_FILE). At
 * start, the entries of that file move into the store once: in file order, ids kept (a line
 * without one is `at-<byte offset>`, the id the console showed for it), entries already stored
 * skipped, a torn or unreadable line skipped; then the file is renamed `<file>.imported`. It is one
 * transaction: a crash before the rename leaves the file, and the next start imports nothing twice.
 */
import { existsSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { sql } from 'kysely';
import type { AuditEntryDto } from '@byoi/shared';
import type { Store } from '../store/store.ts';
import type { AuditLogger } from './auditLog.ts';
import { insertRows, storableEntry, toRow, type AuditRow } from './auditRow.ts';
import { linesForward, type Line } from './lineScan.ts';

/** Replicas sharing a DATA_DIR import one after the other; the second finds every entry stored. */
const IMPORT_LOCK = 4_242_102;
const ROWS_PER_INSERT = 500;

export interface LegacyImport {
  file: string;
  renamedTo: string | null;
  /** Entries inserted now. */
  imported: number;
  /** Entries whose id was stored already (an import interrupted before its rename). */
  alreadyStored: number;
  /** Lines that are not an entry: torn by a crash, or not JSON. */
  skipped: number;
}

function legacyEntry(line: Line): AuditEntryDto | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { id, time, event, outcome, ...rest } = parsed as Record<string, unknown>;
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) return null;
  if (typeof event !== 'string' || typeof outcome !== 'string') return null;
  return storableEntry({
    id: typeof id === 'string' ? id : `at-${line.start}`,
    time,
    event,
    outcome,
    user: null,
    role: null,
    ip: null,
    ...rest,
  } as AuditEntryDto);
}

function importedName(file: string): string {
  let name = `${file}.imported`;
  for (let n = 2; existsSync(name); n += 1) name = `${file}.imported.${n}`;
  return name;
}

async function importLines(
  store: Store,
  handle: FileHandle,
): Promise<Omit<LegacyImport, 'file' | 'renamedTo'>> {
  const { size } = await handle.stat();
  return store.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`.execute(tx);
    const counts = { imported: 0, alreadyStored: 0, skipped: 0 };
    let rows: AuditRow[] = [];
    const insert = async () => {
      const inserted = await insertRows(tx, rows, { skipKnown: true });
      counts.imported += inserted;
      counts.alreadyStored += rows.length - inserted;
      rows = [];
    };
    let end = 0;
    for await (const line of linesForward(handle, 0, size)) {
      end = line.end;
      const entry = legacyEntry(line);
      if (!entry) {
        counts.skipped += 1;
        continue;
      }
      rows.push(toRow(entry));
      if (rows.length === ROWS_PER_INSERT) await insert();
    }
    if (rows.length > 0) await insert();
    // The bytes after the last newline: a line torn by a crash.
    if (end < size) counts.skipped += 1;
    return counts;
  });
}

/** Imports `file` if it exists; null when there is none, or when it failed (logged; tried again at the next start). */
export async function importLegacyAuditFile(
  store: Store,
  file: string,
  logger: AuditLogger,
): Promise<LegacyImport | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    logger.error(
      { file, err: { code: (error as NodeJS.ErrnoException).code ?? 'unknown' } },
      'the audit log file could not be read for its import into the store; it is kept and tried again at the next start',
    );
    return null;
  }
  let counts: Omit<LegacyImport, 'file' | 'renamedTo'>;
  try {
    counts = await importLines(store, handle);
  } catch (error) {
    logger.error(
      {
        file,
        err: {
          code: (error as { code?: unknown }).code ?? 'unknown',
          message: error instanceof Error ? error.message.slice(0, 300) : String(error),
        },
      },
      'the audit log file could not be imported into the store; it is kept and tried again at the next start',
    );
    return null;
  } finally {
    await handle.close();
  }
  let renamedTo: string | null = importedName(file);
  try {
    await rename(file, renamedTo);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    // ENOENT: another replica on the same DATA_DIR renamed it first. Otherwise the next start
    // imports it again, which adds nothing.
    if (code !== 'ENOENT') {
      logger.error({ file, err: { code } }, 'the imported audit log file could not be renamed');
    }
    renamedTo = null;
  }
  const result = { file, renamedTo, ...counts };
  logger.info(result, 'audit log file imported into the store');
  return result;
}
