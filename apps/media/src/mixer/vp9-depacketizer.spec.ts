import { ivfFrame, ivfHeader, Vp9Depacketizer } from './vp9-depacketizer';

/**
 * An RTP packet of WebRTC's VP9 SVC: picture id (15 bits), layer indices (non-flexible), B/E flags,
 * and the scalability structure on the first packet of a key frame.
 */
function packet(options: {
  sequence: number;
  timestamp: number;
  marker?: boolean;
  layer: number;
  begins: boolean;
  ends: boolean;
  predicted: boolean;
  structure?: boolean;
  data: number[];
}): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (options.marker ? 0x80 : 0) | 98;
  header.writeUInt16BE(options.sequence, 2);
  header.writeUInt32BE(options.timestamp, 4);
  header.writeUInt32BE(1234, 8);
  const flags =
    0x80 |
    0x20 |
    (options.predicted ? 0x40 : 0) |
    (options.begins ? 8 : 0) |
    (options.ends ? 4 : 0) |
    (options.structure ? 2 : 0);
  const descriptor = [flags, 0x80 | 0x01, 0x23, (options.layer << 1) | 0, 0x07];
  // Two spatial layers with their sizes (Y), one picture group (G) of one reference.
  const structure = options.structure
    ? [(1 << 5) | 0x10 | 0x08, 1, 64, 0, 36, 2, 128, 0, 72, 1, 0b00010100, 1]
    : [];
  return Buffer.concat([header, Buffer.from([...descriptor, ...structure, ...options.data])]);
}

describe('Vp9Depacketizer', () => {
  it('makes one superframe of the layer frames of a picture, with the index a decoder needs', () => {
    const depacketizer = new Vp9Depacketizer();
    const key = { timestamp: 9000, predicted: false };
    expect(
      depacketizer.push(
        packet({ ...key, sequence: 1, layer: 0, begins: true, ends: false, structure: true, data: [1, 2] }),
      ),
    ).toBeNull();
    expect(
      depacketizer.push(packet({ ...key, sequence: 2, layer: 0, begins: false, ends: true, data: [3] })),
    ).toBeNull();
    const frame = depacketizer.push(
      packet({ ...key, sequence: 3, layer: 1, begins: true, ends: true, marker: true, data: [4, 5, 6, 7] }),
    );
    // The layer frames, then the index: marker, two 4-byte sizes (3 and 4), marker.
    const marker = 0xc0 | (3 << 3) | 1;
    expect([...frame!.data]).toEqual([1, 2, 3, 4, 5, 6, 7, marker, 3, 0, 0, 0, 4, 0, 0, 0, marker]);
    expect(frame).toMatchObject({ timestamp: 9000, keyFrame: true });

    // An inter frame of the top layer alone is passed as it is.
    const next = depacketizer.push(
      packet({
        timestamp: 12000,
        predicted: true,
        sequence: 4,
        layer: 1,
        begins: true,
        ends: true,
        marker: true,
        data: [8],
      }),
    );
    expect(next).toMatchObject({ timestamp: 12000, keyFrame: false });
    expect([...next!.data]).toEqual([8]);
  });

  it('drops a picture with a lost packet, and takes the next one', () => {
    const depacketizer = new Vp9Depacketizer();
    const inter = { predicted: true, layer: 0 };
    depacketizer.push(
      packet({ ...inter, timestamp: 3000, sequence: 10, begins: true, ends: false, data: [1] }),
    );
    // Sequence 11 is lost.
    expect(
      depacketizer.push(
        packet({
          ...inter,
          timestamp: 3000,
          sequence: 12,
          begins: false,
          ends: true,
          marker: true,
          data: [3],
        }),
      ),
    ).toBeNull();
    const next = depacketizer.push(
      packet({ ...inter, timestamp: 6000, sequence: 13, begins: true, ends: true, marker: true, data: [4] }),
    );
    expect([...next!.data]).toEqual([4]);
  });

  it('ignores what is not RTP, and a picture it joined in the middle', () => {
    const depacketizer = new Vp9Depacketizer();
    expect(depacketizer.push(Buffer.from([1, 2, 3]))).toBeNull();
    expect(
      depacketizer.push(
        packet({
          timestamp: 1,
          sequence: 1,
          layer: 0,
          predicted: true,
          begins: false,
          ends: true,
          marker: true,
          data: [9],
        }),
      ),
    ).toBeNull();
  });

  it('writes IVF as ffmpeg reads it', () => {
    const header = ivfHeader(640, 360);
    expect(header.subarray(0, 4).toString()).toBe('DKIF');
    expect(header.subarray(8, 12).toString()).toBe('VP90');
    expect(header.readUInt16LE(12)).toBe(640);
    const frame = ivfFrame(Buffer.from([1, 2, 3]), 2 ** 33);
    expect(frame.readUInt32LE(0)).toBe(3);
    expect(frame.readBigUInt64LE(4)).toBe(2n ** 33n);
    expect([...frame.subarray(12)]).toEqual([1, 2, 3]);
  });
});
