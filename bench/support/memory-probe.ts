/*
 * Preloaded into the service by the soak benchmark (`node -r memory-probe.js main.js`): sends the process's
 * memory to the parent once a second over the IPC channel. The service itself is unchanged.
 */
import { memoryUsage } from 'node:process';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

setInterval(() => process.send?.(memoryUsage() satisfies MemorySample), 1000).unref();
