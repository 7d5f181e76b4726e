/**
 * Small state files (alarm state, login sessions, paired chats, notified groups) are written whole to
 * a temporary file beside the target and renamed over it: a crash mid-write leaves the previous
 * version, never half of one. The directory is created when missing.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** `mode` applies to a file created now (0o600 for files holding anything private). */
export async function writeFileAtomically(path: string, text: string, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPath(path);
  await writeFile(temporary, text, mode === undefined ? undefined : { mode });
  await rename(temporary, path);
}

/** The same, synchronously (for callers whose API is synchronous, such as the paired chats). */
export function writeFileAtomicallySync(path: string, text: string, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryPath(path);
  writeFileSync(temporary, text, mode === undefined ? undefined : { mode });
  renameSync(temporary, path);
}

function temporaryPath(path: string): string {
  return `${path}.${process.pid}.tmp`;
}
