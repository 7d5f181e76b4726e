import { readFile } from 'node:fs/promises';
import { BusbarError, errorMessage } from '../runtime/errors.js';

/**
 * Reads the PEM files of an outgoing TLS connection (CA, certificate, key) before connecting, so a
 * missing or unreadable file fails at once with its path and who needed it, instead of as a vague
 * handshake error later. `owner` names the connection: `remote bus`, `bridge pdu-site-b`.
 */
export async function readTlsFiles(
  owner: string,
  files: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined },
): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  const read = async (kind: string, file: string | undefined): Promise<Buffer | undefined> => {
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (error) {
      throw new BusbarError(
        'BUSBAR_BUS_CONNECT',
        `${owner}: cannot read the ${kind} file ${file}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  };
  const [ca, cert, key] = await Promise.all([
    read('CA', files.ca),
    read('certificate', files.cert),
    read('key', files.key),
  ]);
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}
