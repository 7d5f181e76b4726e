/** Starting a worker thread from compiled JavaScript (dist) and from TypeScript sources alike. */
import { Worker } from 'node:worker_threads';

/**
 * A Worker running the module `name` that sits next to `importMetaUrl`'s module. From sources the
 * module is `.ts` and goes through ts-worker.mjs; from the build it is `.js` and runs as is.
 */
export function startWorker(
  importMetaUrl: string,
  name: string,
  workerData: Record<string, unknown>,
): Worker {
  if (importMetaUrl.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, importMetaUrl).href;
    return new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...workerData, entry } });
  }
  return new Worker(new URL(`./${name}.js`, importMetaUrl), { workerData });
}
