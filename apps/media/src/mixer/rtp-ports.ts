import { createSocket } from 'node:dgram';

/**
 * Port pairs come from below the kernel's ephemeral range (32768 and up on Linux), where ffmpeg's
 * sending sockets, browsers and mediasoup (40000 and up by default) take theirs, so between our probe
 * and ffmpeg binding the pair nobody else is likely to take it.
 */
const FIRST_PORT = 20000;
const LAST_PORT = 32766;

/** Pairs handed out by this process and not yet released: never handed out twice. */
const reserved = new Set<number>();

/**
 * Two free consecutive UDP ports on loopback (RTP on the even one, RTCP on the next, as ffmpeg's RTP
 * demuxer wants them), held for this process until `release`.
 */
export async function reserveRtpPorts(host = '127.0.0.1'): Promise<{ port: number; release: () => void }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = FIRST_PORT + 2 * Math.floor(Math.random() * ((LAST_PORT - FIRST_PORT) / 2));
    if (reserved.has(port)) continue;
    reserved.add(port);
    if (await bindable(port, host)) return { port, release: () => reserved.delete(port) };
    reserved.delete(port);
  }
  throw new Error('no free UDP port pair for an ffmpeg RTP input');
}

async function bindable(port: number, host: string): Promise<boolean> {
  const sockets = [createSocket('udp4'), createSocket('udp4')];
  const bound = await Promise.all(
    sockets.map(
      (socket, index) =>
        new Promise<boolean>((resolve) => {
          socket.once('error', () => resolve(false));
          socket.bind(port + index, host, () => resolve(true));
        }),
    ),
  );
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  return bound.every(Boolean);
}
