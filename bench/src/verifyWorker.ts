/**
 * Runs in its own process (so its memory is the verification's alone): streams one image through
 * the preflight's "Verify checksum" (its guarded client and `verifyChecksum`, via the preflight's
 * measurement hook) over loopback, and prints `{ checksum, bytes, seconds, rssBefore, rssPeak }`
 * as one JSON line. Usage: verifyWorker.ts <url>
 */
import { timeStreamedChecksum } from '../../apps/bff/src/preflight/measureChecksum.ts';

const [url] = process.argv.slice(2);
if (!url) {
  console.error('Usage: verifyWorker.ts <image url>');
  process.exit(2);
}

const rssBefore = process.memoryUsage.rss();
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
}, 5);
const timing = await timeStreamedChecksum({ url, type: 'sha256' });
clearInterval(sampler);
rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
process.stdout.write(
  `${JSON.stringify({ checksum: timing.checksum, bytes: timing.bytes, seconds: timing.seconds, rssBefore, rssPeak })}\n`,
);
