import { writeFile } from 'node:fs/promises';
import { starterConfig } from './starter-config.js';

export interface InitOptions {
  force?: boolean;
}

/** `busbar init [FILE]`: writes the starter config; an existing file is kept unless --force. */
export async function initCommand(file: string, options: InitOptions): Promise<number> {
  try {
    // `wx` fails when the file exists: no window between a check and the write.
    await writeFile(file, starterConfig(), { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      process.stderr.write(`${file} exists; keeping it (--force overwrites it)\n`);
      return 1;
    }
    process.stderr.write(`cannot write ${file} (${code ?? (error as Error).message})\n`);
    return 1;
  }
  process.stdout.write(`wrote ${file}; check it with: busbar check-config -c ${file}\n`);
  return 0;
}
