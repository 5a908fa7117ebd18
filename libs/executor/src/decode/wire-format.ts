/** The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the payload. */
export interface Framed {
  schemaId: number;
  payload: Buffer;
}

export function unframe(value: Buffer): Framed | string {
  if (value.length < 5) return `value has ${value.length} bytes: too short for the schema registry wire format (magic byte + 4-byte schema id)`;
  if (value[0] !== 0) return `value starts with byte ${value[0]}, not the schema registry wire format's magic byte 0`;
  return { schemaId: value.readUInt32BE(1), payload: value.subarray(5) };
}

/** Reads a zig-zag varint (protobuf message indexes); returns [value, next position] or undefined at the end. */
export function readZigZagVarint(buf: Buffer, pos: number): [number, number] | undefined {
  let result = 0;
  let shift = 0;
  for (let i = pos; i < buf.length && shift < 35; i++) {
    const byte = buf[i]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [(result >>> 1) ^ -(result & 1), i + 1];
    shift += 7;
  }
  return undefined;
}

/**
 * Confluent's protobuf framing after the schema id: the path of the message type in the schema as a
 * zig-zag varint count and indexes; a single 0 stands for `[0]` (the first message).
 */
export function readMessageIndexes(payload: Buffer): { indexes: number[]; body: Buffer } | string {
  const count = readZigZagVarint(payload, 0);
  if (!count) return 'truncated protobuf message indexes';
  let [n, pos] = count;
  if (n === 0) return { indexes: [0], body: payload.subarray(pos) };
  if (n < 0 || n > 100) return `invalid protobuf message index count ${n}`;
  const indexes: number[] = [];
  while (n-- > 0) {
    const next = readZigZagVarint(payload, pos);
    if (!next) return 'truncated protobuf message indexes';
    indexes.push(next[0]);
    pos = next[1];
  }
  return { indexes, body: payload.subarray(pos) };
}

/** Frames a payload (for producers and tests). */
export function frame(schemaId: number, payload: Buffer, messageIndexes?: number[]): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  if (!messageIndexes) return Buffer.concat([header, payload]);
  const zz = (v: number): number[] => {
    let u = ((v << 1) ^ (v >> 31)) >>> 0;
    const out: number[] = [];
    while (u > 0x7f) {
      out.push((u & 0x7f) | 0x80);
      u >>>= 7;
    }
    out.push(u);
    return out;
  };
  const idx = messageIndexes.length === 1 && messageIndexes[0] === 0 ? [0] : [...zz(messageIndexes.length), ...messageIndexes.flatMap(zz)];
  return Buffer.concat([header, Buffer.from(idx), payload]);
}
