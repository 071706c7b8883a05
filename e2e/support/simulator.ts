/**
 * A client for the embedded simulator's `/_sim` admin API (loopback only). The simulator's
 * certificate is generated at each start, so this test-only client does not verify it.
 */
import https from 'node:https';

export interface RecordedInstall {
  route: 'install-start' | 'reinstall';
  serviceName: string;
  body: unknown;
  receivedAt: string;
}

/** `GET /_sim/servers/:sn`, the fields these tests read. */
export interface ServerSnapshot {
  efiBootloaderPath: string | null;
  disk: {
    imageURL: string;
    configDrive: { userData: string | null; metaData: { meta: Record<string, string> } } | null;
  } | null;
}

interface RequestsResponse {
  installs: RecordedInstall[];
  calls: Record<string, number>;
}

export class SimulatorAdminClient {
  constructor(private readonly baseURL: string) {
    if (!baseURL) throw new Error('simulatorURL is set per project in playwright.config.ts.');
  }

  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.baseURL);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        url,
        {
          method,
          rejectUnauthorized: false,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((response.statusCode ?? 500) >= 400) {
              reject(new Error(`${method} ${path} → ${response.statusCode}: ${text}`));
              return;
            }
            resolve(text === '' ? undefined : JSON.parse(text));
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** Install requests the simulator received for one server, oldest first. */
  async installsFor(serviceName: string): Promise<RecordedInstall[]> {
    const { installs } = (await this.call('GET', '/_sim/requests')) as RequestsResponse;
    return installs.filter((install) => install.serviceName === serviceName);
  }

  /** A server as the simulator holds it: what the last install wrote, its config drive included. */
  async server(serviceName: string): Promise<ServerSnapshot> {
    return (await this.call(
      'GET',
      `/_sim/servers/${encodeURIComponent(serviceName)}`,
    )) as ServerSnapshot;
  }

  /** While locked, OVH refuses installs on the server with 409 `DisturbAlreadyExists`. */
  async setServerLocked(serviceName: string, locked: boolean): Promise<void> {
    await this.call('POST', `/_sim/servers/${encodeURIComponent(serviceName)}/lock`, { locked });
  }

  /** OVH API calls received, by `METHOD /path`. */
  async calls(): Promise<Record<string, number>> {
    return (await this.call('GET', '/_sim/calls')) as Record<string, number>;
  }

  async setClockSpeed(clockSpeed: number): Promise<void> {
    await this.call('POST', '/_sim/clock', { clockSpeed });
  }
}
