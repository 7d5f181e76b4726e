// Loads a worker written in TypeScript when busbar runs from its sources (vitest, tsx): worker
// threads do not inherit the parent's loader, so tsx is registered here first. The build runs the
// compiled worker directly and never loads this file.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
