// One implementation for benchmarks and tests: bench/ is built with the product, test/ is not.
export { freePort, waitForPort } from '../../bench/ports.js';
