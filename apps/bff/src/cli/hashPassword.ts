/**
 * `pnpm --filter @byoi/bff hash-password`: prints the scrypt hash of a password for
 * CONSOLE_USERS_FILE or CONSOLE_ADMIN_PASSWORD_HASH. At a terminal the password is typed twice
 * without echo; from a pipe it is the first line of stdin (`printf %s "$PW" | pnpm … hash-password`).
 */
import { pathToFileURL } from 'node:url';
import { hashPassword } from '../auth/password.ts';

export const MIN_PASSWORD_LENGTH = 8;

interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export interface CliIo {
  stdin: Input;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

async function readPiped(stdin: Input): Promise<string> {
  let text = '';
  for await (const chunk of stdin)
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return text.split(/\r?\n/)[0] ?? '';
}

function readHidden(io: CliIo, prompt: string): Promise<string> {
  io.stderr.write(prompt);
  const { stdin } = io;
  stdin.setRawMode?.(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (result: string | null) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (result === null) reject(new Error('Cancelled.'));
      else resolve(result);
    };
    const onData = (data: Buffer | string) => {
      for (const ch of typeof data === 'string' ? data : data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003' || ch === '\u0004') return done(null);
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Returns the exit code; the hash goes to stdout alone so it can be captured by a script. */
export async function runHashPassword(io: CliIo): Promise<number> {
  let password: string;
  try {
    if (io.stdin.isTTY) {
      password = await readHidden(io, 'Password: ');
      const again = await readHidden(io, 'Repeat the password: ');
      if (again !== password) {
        io.stderr.write('The two passwords differ. Run the command again.\n');
        return 1;
      }
    } else {
      password = await readPiped(io.stdin);
    }
  } catch {
    io.stderr.write('Cancelled: no hash was made.\n');
    return 130;
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    io.stderr.write(
      `The password must be at least ${MIN_PASSWORD_LENGTH} characters long. ` +
        'Type it at the prompt, or pipe it in: printf %s "$PASSWORD" | pnpm --filter @byoi/bff hash-password\n',
    );
    return 1;
  }
  io.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runHashPassword({
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
