/**
 * One journaled message on disk: `[length u32][crc32 u32][body]`, the body being
 * `[received ns u64][qos u8][topic length u16][topic][payload]`, all big-endian. The CRC covers the
 * body, so a record torn by a crash in the middle of a write is recognised and ignored, with what
 * follows it (only the tail of the last segment can be torn: a write is acknowledged only after it).
 */
import { crc32 } from 'node:zlib';

export interface JournalRecord {
  readonly receivedNs: bigint;
  readonly qos: 1 | 2;
  readonly topic: string;
  readonly payload: Buffer;
}

const HEADER_BYTES = 8;
const FIXED_BODY_BYTES = 8 + 1 + 2;

export function encodeRecord(record: JournalRecord): Buffer {
  const topicBytes = Buffer.byteLength(record.topic);
  const bodyBytes = FIXED_BODY_BYTES + topicBytes + record.payload.length;
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  buffer.writeUInt32BE(bodyBytes, 0);
  buffer.writeBigUInt64BE(record.receivedNs, 8);
  buffer.writeUInt8(record.qos, 16);
  buffer.writeUInt16BE(topicBytes, 17);
  buffer.write(record.topic, 19, 'utf8');
  record.payload.copy(buffer, 19 + topicBytes);
  buffer.writeUInt32BE(crc32(buffer.subarray(HEADER_BYTES)), 4);
  return buffer;
}

export interface DecodedRecords {
  readonly records: JournalRecord[];
  /** Bytes at the end that do not form a whole, intact record (a write torn by a crash). */
  readonly tornBytes: number;
}

/** Reads the records of one segment file's contents, stopping at the first damaged one. */
export function decodeRecords(data: Buffer): DecodedRecords {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const bodyBytes = data.readUInt32BE(offset);
    const end = offset + HEADER_BYTES + bodyBytes;
    if (bodyBytes < FIXED_BODY_BYTES || end > data.length) break;
    const body = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(body) !== data.readUInt32BE(offset + 4)) break;
    const topicBytes = body.readUInt16BE(9);
    if (FIXED_BODY_BYTES + topicBytes > bodyBytes) break;
    const qos = body.readUInt8(8);
    records.push({
      receivedNs: body.readBigUInt64BE(0),
      qos: qos === 2 ? 2 : 1,
      topic: body.toString('utf8', FIXED_BODY_BYTES, FIXED_BODY_BYTES + topicBytes),
      // A copy: the file's buffer is released once the segment has been read.
      payload: Buffer.from(body.subarray(FIXED_BODY_BYTES + topicBytes)),
    });
    offset = end;
  }
  return { records, tornBytes: data.length - offset };
}
