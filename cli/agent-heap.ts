/**
 * Imported first by main.ts, for its side effect before any other module loads: `busbar agent`
 * allocates little, but loading code (commander, mqtt.js, zod, pino, systeminformation) makes V8 grow
 * its young generation from 2 MB towards its largest size, which shows as a start-up RSS peak about
 * 8 MB above the agent's usual size. V8 reads the growth factor at each growth decision, so setting
 * it to 1 before that code loads keeps the young generation at its initial size, as
 * `--max-semi-space-size=1` does from the command line (bench:agent measures the peak). Other commands
 * (the broker allocates a lot) keep V8's defaults. A V8 that does not know the flag ignores it.
 */
import v8 from 'node:v8';

const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (command === 'agent') v8.setFlagsFromString('--semi-space-growth-factor=1');
