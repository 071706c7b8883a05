/**
 * Loaded into the BFF's process (`--import`, with `--expose-gc`) when the bench asks for its
 * memory: on the IPC message `memory` it collects garbage, then sends `process.memoryUsage()` back,
 * so growth is read after GC rather than at whatever point the collector happened to be.
 */
process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc?.();
  process.send?.(process.memoryUsage());
});
// The channel must not keep a stopping BFF alive.
process.channel?.unref();
