/**
 * Test support: a real HTTP receiver on loopback that checks every delivery's signature with
 * `verify`, as an operator's receiver would, against each secret it has been told (several during
 * a rotation), and answers what the test scripted (200 once the script runs out).
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../webhooks/signature.ts';

export type ReceiverAnswer = { status: number; headers?: Record<string, string>; delayMs?: number };

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The known secrets whose check passed, in the order they were given. */
  verifiedWith: string[];
  /** Each `v1=` value of the signature header checked alone, against each known secret. */
  signatures: string[];
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** The secrets the receiver checks with; set them once the console handed them out. */
  secrets: string[];
  /** What the next requests get, in order. */
  script(...answers: ReceiverAnswer[]): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let answers: ReceiverAnswer[] = [];
  const receiver: Omit<WebhookReceiver, 'url' | 'close'> = {
    received: [],
    secrets: [],
    script: (...next) => void answers.push(...next),
    reset: () => {
      answers = [];
      receiver.received.length = 0;
      receiver.secrets = [];
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      receiver.received.push({
        path: req.url ?? '',
        headers: req.headers,
        body,
        verifiedWith: receiver.secrets.filter((s) => verify(s, req.headers, body).ok),
        signatures: String(req.headers['x-byoi-signature'] ?? '')
          .split(' ')
          .filter(Boolean),
        at: Date.now(),
      });
      const answer = answers.shift() ?? { status: 200 };
      setTimeout(() => res.writeHead(answer.status, answer.headers).end('ok'), answer.delayMs ?? 0);
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks/byoi?team=ops`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
