import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitForPort } from './ports.js';

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `busbar-${prefix}-`));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Fails loudly when a test server binary is missing: integration tests never skip silently.
 * `npm test` installs them first (scripts/ensure-test-servers.mjs).
 */
export function requireBinary(binary: string, debianPackage: string): string {
  const candidates = [binary, `/usr/sbin/${path.basename(binary)}`, `/usr/bin/${path.basename(binary)}`];
  const found = candidates.find((candidate) => candidate.startsWith('/') && existsSync(candidate));
  if (!found) {
    throw new Error(
      `${binary} is not installed; run \`npm test\` as root once, or \`apt-get install -y ${debianPackage}\``,
    );
  }
  return found;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns a server, keeps its output for failure messages, and kills it on stop. */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string } = {},
): RunningProcess {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts a server that listens on `port`, waits until it accepts connections, and removes its temp
 * dir when stopped. A server that does not come up fails with its own output in the message.
 */
export async function startServerProcess(
  name: string,
  binary: string,
  args: string[],
  options: { port: number; dir: { path: string; remove(): Promise<void> } },
): Promise<{ pid: number; stop(): Promise<void> }> {
  const proc = startProcess(binary, args, { cwd: options.dir.path });
  try {
    await waitForPort(options.port);
  } catch (error) {
    await proc.stop();
    await options.dir.remove();
    throw new Error(`${name} did not start: ${proc.output()}`, { cause: error });
  }
  return {
    pid: proc.child.pid!,
    async stop() {
      await proc.stop();
      await options.dir.remove();
    },
  };
}
