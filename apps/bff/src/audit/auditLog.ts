/**
 * The append-only audit log: one JSON line per entry in `AUDIT_LOG_FILE` (written in order through a
 * single promise chain, file mode 0600) and the same entry through the application logger.
 */
import { mkdirSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEntryDto } from '@byoi/shared';

export interface AuditLogger {
  info: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export class AuditLog {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly logger: AuditLogger,
  ) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  }

  record(entry: AuditEntryDto): void {
    this.logger.info({ audit: entry }, `audit ${entry.event} ${entry.outcome}`);
    const line = `${JSON.stringify(entry)}\n`;
    this.queue = this.queue
      .then(() => appendFile(this.file, line, { encoding: 'utf8', mode: 0o600 }))
      .catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
        this.logger.error({ code, file: this.file }, 'audit log write failed');
      });
  }

  /** Resolves once every entry recorded so far is on disk. */
  flush(): Promise<void> {
    return this.queue;
  }

  /** The newest `limit` entries, newest first, reading only the file's tail. */
  async recent(limit: number): Promise<AuditEntryDto[]> {
    await this.flush();
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const chunk = 64 * 1024;
      let position = size;
      let tail = Buffer.alloc(0);
      let newlines = 0;
      // Collect bytes (not strings) so a UTF-8 character split across chunks decodes intact.
      while (position > 0 && newlines <= limit + 1) {
        const length = Math.min(chunk, position);
        position -= length;
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, position);
        for (const byte of buffer) if (byte === 0x0a) newlines += 1;
        tail = Buffer.concat([buffer, tail]);
      }
      const lines = tail.toString('utf8').split('\n');
      // The first line may be cut mid-way unless the read reached the start of the file.
      const complete = (position > 0 ? lines.slice(1) : lines).filter((l) => l.trim() !== '');
      const entries: AuditEntryDto[] = [];
      for (const line of complete.slice(-limit).reverse()) {
        try {
          entries.push(JSON.parse(line) as AuditEntryDto);
        } catch {
          // A torn last line after a crash is skipped rather than failing the page.
        }
      }
      return entries;
    } finally {
      await handle.close();
    }
  }
}
