/**
 * busbar's patch of mqtt-packet (patches/mqtt-packet+*.patch) turns its per-packet debug calls into
 * a no-op when debugging is off, which it is unless DEBUG names it when the process starts. The
 * debug output must still be there for whoever asks for it, and absent otherwise.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Parses one PUBLISH and writes one PUBACK with mqtt-packet in a fresh process; returns its stderr. */
async function stderrOfParse(debug: string | undefined): Promise<string> {
  const script = `
    const mqtt = require('mqtt-packet');
    const { Writable } = require('node:stream');
    const parser = mqtt.parser();
    const sink = new Writable({ write(chunk, encoding, done) { done(); } });
    parser.on('packet', (packet) => mqtt.writeToStream({ cmd: 'puback', messageId: packet.messageId }, sink));
    parser.parse(mqtt.generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('1'), qos: 1, messageId: 7 }));
  `;
  const env: NodeJS.ProcessEnv = { ...process.env, DEBUG_COLORS: 'no' };
  delete env.DEBUG;
  if (debug !== undefined) env.DEBUG = debug;
  const { stderr } = await run(process.execPath, ['-e', script], { env });
  return stderr;
}

describe('mqtt-packet debug output', () => {
  it('is written for the parser and the writer when DEBUG names them at start', async () => {
    const stderr = await stderrOfParse('mqtt-packet:*');
    expect(stderr).toContain('mqtt-packet:parser');
    expect(stderr).toContain('mqtt-packet:writeToStream');
  });

  it('is absent when DEBUG does not name them', async () => {
    expect(await stderrOfParse(undefined)).toBe('');
    expect(await stderrOfParse('other:*')).toBe('');
  });
});
