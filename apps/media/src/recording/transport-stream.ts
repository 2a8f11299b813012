/** MPEG-TS packets as the recorder's ffmpeg writes them, and the few fields a slicer needs. */
export const TS_PACKET_SIZE = 188;

/** Fixed by the recorder's ffmpeg arguments, so the stream need not be parsed for them. */
export const TS_PIDS = { pat: 0x0000, pmt: 0x1000, video: 0x0100 } as const;
export const TS_PID_ARGUMENTS = [
  ...['-mpegts_pmt_start_pid', String(TS_PIDS.pmt)],
  ...['-mpegts_start_pid', String(TS_PIDS.video)],
];

export function packetPid(packet: Uint8Array): number {
  return ((packet[1] & 0x1f) << 8) | packet[2];
}

/** Whether a packet begins a video key frame: a payload start flagged as a random access point. */
export function startsKeyFrame(packet: Uint8Array): boolean {
  const payloadStart = (packet[1] & 0x40) !== 0;
  const hasAdaptationField = (packet[3] & 0x20) !== 0;
  return (
    packetPid(packet) === TS_PIDS.video &&
    payloadStart &&
    hasAdaptationField &&
    packet[4] > 0 &&
    (packet[5] & 0x40) !== 0
  );
}
