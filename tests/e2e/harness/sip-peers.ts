import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { waitFor } from './participants';
import { portIsFree } from './platform';

/*
 * Real SIP peers for the SIP gateway's tests: sipp (Debian's sip-tester 3.6.1) running our UAS scenarios
 * and headless baresip 1.0.0 phones, plus the audio checks for what the phones record. See
 * docs/research/sip/README.md for how both behave (the "pitfall" numbers below are that file's).
 * Every process is started here and stopped here, by its PID; everything listens on a loopback address.
 */

const run = promisify(execFile);

/** The sipp scenarios of the tests (`SippPeer.start({ scenario: 'uas_486_busy.xml' })`). */
export const SIP_SCENARIOS = join(__dirname, '../../fixtures/sip/scenarios');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A peer process of a test, its output in `outFile` and stdin on /dev/null: its exit, and stopping it by its
 * PID (never by name).
 */
abstract class PeerProcess {
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;
  private readonly process: ChildProcess;

  protected constructor(
    private readonly command: string,
    args: string[],
    outFile: string,
  ) {
    const out = openSync(outFile, 'w');
    this.process = spawn(command, args, { stdio: ['ignore', out, out] });
    closeSync(out);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => resolve((this.exit = { code, signal })));
      // A binary that cannot be started: 'exit' never comes.
      this.process.once('error', () => resolve((this.exit = this.exit ?? { code: null, signal: null })));
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  abstract stop(): Promise<Exit>;

  /** Waits until `ready()`; if it exits first or takes longer than `timeoutMs`, throws with `describe()`. */
  protected async until(
    ready: () => Promise<boolean>,
    describe: () => string,
    timeoutMs: number,
  ): Promise<void> {
    const check = async () => {
      if (this.exit) throw new Error(`it exited (${JSON.stringify(this.exit)})`);
      return ready();
    };
    await waitFor(check, Boolean, timeoutMs).catch((error: Error) => {
      throw new Error(`${this.command} (pid ${this.pid}) is not ready: ${error.message}\n${describe()}`);
    });
  }

  /** `until` for its start (10 s): stops it if it does not get there. */
  protected async started(ready: () => Promise<boolean>, describe: () => string): Promise<void> {
    try {
      await this.until(ready, describe, 10000);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Sends each signal in turn, waiting `graceMs` after each for the process to exit; SIGKILL at the end. */
  protected async terminate(signals: NodeJS.Signals[], graceMs: number): Promise<Exit> {
    for (const signal of [...signals, 'SIGKILL' as const]) {
      if (this.exit) break;
      this.process.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    return this.exited;
  }
}

/** Whether process `pid` has `address:port` bound (UDP) or listening (TCP), by `ss`. */
async function bound(pid: number, transport: 'udp' | 'tcp', address: string, port: number): Promise<boolean> {
  const { stdout } = await run('ss', ['-H', '-lnp', transport === 'udp' ? '-u' : '-t']);
  return stdout
    .split('\n')
    .some((line) => line.includes(`pid=${pid},`) && line.split(/\s+/)[3] === `${address}:${port}`);
}

/** Whether UDP and TCP port `port` of `address` can be bound right now. */

/**
 * A port of `address` whose UDP and TCP are free, and so are the `span - 1` ports after it (baresip also
 * listens on its SIP port + 1, sipp on its media port + 2). Below Linux's ephemeral range (32768-60999).
 */
export async function freePortOn(address: string, span = 1): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 21000 + 2 * Math.floor(Math.random() * 5000);
    let ok = true;
    for (let offset = 0; ok && offset < span; offset++) ok = await portIsFree(address, port + offset);
    if (ok) return port;
  }
  throw new Error(`no free port on ${address}`);
}

const readText = (file: string) => readFile(file, 'utf8').catch(() => '');

export interface SippOptions {
  /** A file in tests/fixtures/sip/scenarios (or an absolute path), or the name of a sipp built-in (`uas`). */
  scenario: string;
  /** The loopback address sipp listens on, e.g. 127.0.0.3 (also its media and control address). */
  address: string;
  /** SIP port; default: a free one. */
  port?: number;
  /** The media port for `[media_port]` in the SDP (sipp binds it and port + 2); default: a free one. */
  mediaPort?: number;
  transport?: 'udp' | 'tcp';
  /** `-m`: sipp exits once this many calls have ended (default 1). */
  calls?: number;
  /** `-timeout`: sipp gives up (exit code ≠ 0) after this long (default 60 s). */
  timeoutSeconds?: number;
  /** More sipp options, e.g. `['-d', '2000']` for the pause of uas_answer_then_bye.xml. */
  extraArgs?: string[];
  /** A directory of the test's: the peer's logs go into a new directory in it. */
  logDir: string;
}

/**
 * sipp as a UAS in server mode (`sipp -sf <scenario> -i <address> -p <port> -m <calls>`), for a gateway to call
 * at `uri`. Exit code 0 means that every call went through the scenario (pitfall 24: the built-in `uas`
 * waits 4 s after each call; our scenarios 0.5 s).
 */
export class SippPeer extends PeerProcess {
  private constructor(
    args: string[],
    readonly address: string,
    readonly port: number,
    readonly mediaPort: number,
    readonly transport: 'udp' | 'tcp',
    readonly dir: string,
  ) {
    super('sipp', args, join(dir, 'sipp.out'));
  }

  static async start(options: SippOptions): Promise<SippPeer> {
    const { scenario, address, transport = 'udp', calls = 1, timeoutSeconds = 60, extraArgs = [] } = options;
    const port = options.port ?? (await freePortOn(address));
    const mediaPort = options.mediaPort ?? (await freePortOn(address, 3));
    const dir = mkdtempSync(join(options.logDir, `sipp-${scenario.replace(/\.xml$/, '')}-`));
    const scenarioArgs = scenario.endsWith('.xml')
      ? ['-sf', isAbsolute(scenario) ? scenario : join(SIP_SCENARIOS, scenario)]
      : ['-sn', scenario];
    const args = [
      ...scenarioArgs,
      ...['-i', address, '-p', String(port), '-t', transport === 'udp' ? 'u1' : 't1'],
      ...['-mi', address, '-mp', String(mediaPort), '-ci', address],
      ...['-m', String(calls), '-nostdin', '-timeout', `${timeoutSeconds}s`, '-timeout_error'],
      ...['-trace_err', '-error_file', join(dir, 'errors.log')],
      ...['-trace_msg', '-message_file', join(dir, 'messages.log')],
      ...extraArgs,
    ];
    const peer = new SippPeer(args, address, port, mediaPort, transport, dir);
    await peer.started(
      () => bound(peer.pid, transport, address, port),
      () => {
        // Its errors are the lines with a date (at the start, before the statistics screens).
        const out = readFileSync(join(dir, 'sipp.out'), 'utf8');
        const errors = out.split('\n').filter((line) => /^\d{4}-\d\d-\d\d\t/.test(line));
        return `sipp ${args.join(' ')}\n${errors.length ? errors.join('\n') : out.slice(-2000)}`;
      },
    );
    return peer;
  }

  /** Where to call it, e.g. `sip:service@127.0.0.3:5060`. */
  get uri(): string {
    return `sip:service@${this.address}:${this.port}${this.transport === 'tcp' ? ';transport=tcp' : ''}`;
  }

  /** sipp's log of every message it sent and received (`-trace_msg`). */
  messages(): Promise<string> {
    return readText(join(this.dir, 'messages.log'));
  }

  /** What sipp logged as unexpected or failed (`-trace_err`), and its own output (errors, final statistics). */
  async errors(): Promise<string> {
    return (await readText(join(this.dir, 'errors.log'))) + (await readText(join(this.dir, 'sipp.out')));
  }

  /**
   * The messages sipp received, in order (retransmissions included): a request as its method (`INVITE`),
   * a response as its status and the method of its CSeq (`200 BYE`).
   */
  async received(): Promise<string[]> {
    const entries = (await this.messages()).split(/^-{20,}.*\n/m);
    return entries.flatMap((entry) => {
      const [heading, , startLine = '', ...headers] = entry.split(/\r?\n/);
      if (!/message received/.test(heading)) return [];
      const status = /^SIP\/2\.0 (\d{3})/.exec(startLine);
      if (!status) return [startLine.split(' ')[0]];
      const cseq = headers.map((line) => /^CSeq:\s*\d+\s+(\S+)/i.exec(line)).find(Boolean);
      return [`${status[1]} ${cseq?.[1] ?? '?'}`];
    });
  }

  /** SIGTERM (sipp exits at once, with code 0 all the same), SIGKILL after 3 s. */
  stop(): Promise<Exit> {
    return this.terminate(['SIGTERM'], 3000);
  }
}

export interface BaresipOptions {
  /** The loopback address of the phone's SIP, SDP and console, e.g. 127.0.0.4 (pitfall 14). */
  address: string;
  /** SIP port (UDP and TCP; baresip also listens on TCP port + 1); default: a free one. */
  sipPort?: number;
  /** Range of RTP ports (bound on 0.0.0.0, pitfall 15); default: 100 ports at random in 10000-19999. */
  rtpPorts?: [number, number];
  /** The microphone: a 48 kHz mono 16-bit WAV (`toneWav`), at least as long as the calls (pitfall 17). */
  wav: string;
  /** `auto`: answers incoming calls at once; `manual`: rings until `answer()`. */
  answer: 'auto' | 'manual';
  /** The account's `audio_codecs`, in order of preference. */
  codecs?: string[];
  /** The user part of `uri` (default `phone`). */
  user?: string;
  /** A PEM file with the phone's certificate and key: it takes SIP over TLS on `sipPort + 1` (`tlsUri`). */
  certificate?: string;
  /** A directory of the test's: the phone's configuration, log and recordings go into a new directory in it. */
  workDir: string;
}

/**
 * A headless baresip phone (pitfalls 13-20b): console (`cons.so`) on a UDP port of its own that `press()`
 * types into, the WAV file as its microphone, no audio player, and the `sndfile` filter recording what it
 * sends and receives.
 */
export class BaresipPhone extends PeerProcess {
  private constructor(
    readonly address: string,
    readonly sipPort: number,
    readonly consPort: number,
    readonly user: string,
    readonly dir: string,
  ) {
    // stdin is /dev/null (pitfall 13).
    super('baresip', ['-f', dir], join(dir, 'baresip.log'));
  }

  static async start(options: BaresipOptions): Promise<BaresipPhone> {
    const { address, wav, answer, user = 'phone' } = options;
    const codecs = options.codecs ?? ['PCMU/8000/1', 'PCMA/8000/1', 'G722/16000/1', 'opus/48000/2'];
    const { rate, channels } = readWavFile(readFileSync(wav));
    if (rate !== 48000 || channels !== 1)
      throw new Error(`${wav}: ${rate} Hz ${channels} ch, not 48 kHz mono`);
    const sipPort = options.sipPort ?? (await freePortOn(address, 2));
    const consPort = await freePortOn(address);
    const rtpMin = options.rtpPorts?.[0] ?? 10000 + 100 * Math.floor(Math.random() * 100);
    const rtpMax = options.rtpPorts?.[1] ?? rtpMin + 99;
    const dir = mkdtempSync(join(options.workDir, `baresip-${user}-`));
    mkdirSync(join(dir, 'recordings'));
    const config = {
      poll_method: 'epoll',
      sip_listen: `${address}:${sipPort}`,
      net_interface: address,
      call_local_timeout: '120',
      call_max_calls: '4',
      // No audio_player at all: "alsa,null" spins a core (pitfall 16); received audio is still recorded.
      audio_source: `aufile,${wav}`,
      ausrc_srate: '48000',
      ausrc_channels: '1',
      audio_buffer: '20-160',
      rtp_ports: `${rtpMin}-${rtpMax}`,
      rtcp_mux: 'no',
      jitter_buffer_delay: '5-10',
      module_path: '/usr/lib/baresip/modules',
      module: ['cons.so', 'g711.so', 'g722.so', 'opus.so', 'aufile.so', 'sndfile.so'],
      module_tmp: 'account.so',
      module_app: 'menu.so',
      cons_listen: `${address}:${consPort}`,
      snd_path: join(dir, 'recordings'),
      ...(options.certificate ? { sip_certificate: options.certificate } : {}),
    };
    writeFileSync(
      join(dir, 'config'),
      Object.entries(config)
        .flatMap(([key, values]) => [values].flat().map((value) => `${key}\t${value}\n`))
        .join(''),
    );
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${user}@${address}:${sipPort}>;regint=0;answermode=${answer};audio_codecs=${codecs.join(',')}\n`,
    );
    writeFileSync(join(dir, 'contacts'), '');
    const phone = new BaresipPhone(address, sipPort, consPort, user, dir);
    await phone.started(
      async () =>
        (await phone.log()).includes('baresip is ready') && bound(phone.pid, 'udp', address, sipPort),
      () => phone.tail(),
    );
    return phone;
  }

  /** Where to call it, e.g. `sip:phone@127.0.0.4:5062`. */
  get uri(): string {
    return `sip:${this.user}@${this.address}:${this.sipPort}`;
  }

  /** Where to call it over TLS (with `certificate`): baresip listens on its SIP port + 1. */
  get tlsUri(): string {
    return `sips:${this.user}@${this.address}:${this.sipPort + 1}`;
  }

  /**
   * Types `keys` into its console (one UDP datagram): `b` hangs up, `a` answers; during a call, digits (and
   * `*`, `#`) send RFC 4733 DTMF, where a digit's end is only sent when the next one starts (pitfall 18).
   */
  async press(keys: string): Promise<void> {
    const socket = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) =>
        socket.send(keys, this.consPort, this.address, (error) => (error ? reject(error) : resolve())),
      );
    } finally {
      socket.close();
    }
  }

  dial(uri: string): Promise<void> {
    return this.press(`/dial ${uri}\n`);
  }

  answer(): Promise<void> {
    return this.press('a');
  }

  hangUp(): Promise<void> {
    return this.press('b');
  }

  /** Everything it printed. */
  log(): Promise<string> {
    return readText(join(this.dir, 'baresip.log'));
  }

  /** Waits until its log matches `pattern` (e.g. `/Call established/`, `/terminated/`). */
  waitForLog(pattern: RegExp, timeoutMs = 10000): Promise<void> {
    return this.until(
      async () => pattern.test(await this.log()),
      () => this.tail(),
      timeoutMs,
    );
  }

  private tail(): string {
    const log = readFileSync(join(this.dir, 'baresip.log'), 'utf8');
    // Without colours and the call status line it repeats several times a second.
    return stripVTControlCharacters(log)
      .replace(/\[\d+:\d\d:\d\d\] audio=\S+ \(bit\/s\)\s*/g, '')
      .slice(-2000);
  }

  /** The DTMF digits it received (RFC 4733 events, each counted at its start). */
  async receivedDtmf(): Promise<string> {
    return [...(await this.log()).matchAll(/received event: '(.)' \(end=0\)/g)].map((m) => m[1]).join('');
  }

  /** The latest call's recordings: the audio it received (`dump-*-dec.wav`) and sent (`dump-*-enc.wav`). */
  async recordings(): Promise<{ received?: string; sent?: string }> {
    const names = (await readdir(join(this.dir, 'recordings'))).sort();
    const latest = (suffix: string) => {
      const name = names.filter((n) => n.endsWith(suffix)).pop();
      return name && join(this.dir, 'recordings', name);
    };
    return { received: latest('-dec.wav'), sent: latest('-enc.wav') };
  }

  /** SIGTERM, a second SIGTERM 2 s later (pitfall 20b), SIGKILL 2 s after that. */
  stop(): Promise<Exit> {
    return this.terminate(['SIGTERM', 'SIGTERM'], 2000);
  }
}

/**
 * Writes a 16-bit sine of `hz` (half of full scale) with sox, mono, or one channel per frequency when
 * `hz` is a list; returns `file`.
 */
export async function toneWav(
  file: string,
  hz: number | number[],
  seconds: number,
  rate = 48000,
): Promise<string> {
  const tones = [hz].flat();
  const format = ['-r', String(rate), '-c', String(tones.length), '-b', '16', '-e', 'signed-integer'];
  const sines = tones.flatMap((frequency) => ['sine', String(frequency)]);
  await run('sox', ['-n', ...format, file, 'synth', String(seconds), ...sines, 'vol', '0.5']);
  return file;
}

export interface Wav {
  rate: number;
  channels: number;
  /** Per channel, in -1..1. */
  samples: Float32Array[];
}

/** Decodes a RIFF/WAVE file: PCM 8/16/24/32 bit or 32-bit float, any rate and number of channels. */
export function readWavFile(data: Buffer): Wav {
  if (data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a RIFF/WAVE file');
  let format = 0;
  let channels = 0;
  let rate = 0;
  let bits = 0;
  for (let offset = 12; offset + 8 <= data.length;) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = data.readUInt16LE(body);
      channels = data.readUInt16LE(body + 2);
      rate = data.readUInt32LE(body + 4);
      bits = data.readUInt16LE(body + 14);
      // WAVE_FORMAT_EXTENSIBLE: the format is the first two bytes of the sub-format GUID.
      if (format === 0xfffe) format = data.readUInt16LE(body + 24);
    } else if (id === 'data') {
      if (!channels) throw new Error('WAV data before its fmt chunk');
      // A recording still being written (or cut off) has a size of 0 or more than is there: take the rest.
      const end = size === 0 || body + size > data.length ? data.length : body + size;
      return { rate, channels, samples: decode(data.subarray(body, end), format, bits, channels) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}

/** Sample readers (to -1..1) by WAV format (1: PCM, 3: float) and bits per sample. */
const SAMPLE_READERS: Record<string, (data: Buffer, at: number) => number> = {
  '1/8': (data, at) => (data[at] - 128) / 128,
  '1/16': (data, at) => data.readInt16LE(at) / 32768,
  '1/24': (data, at) => data.readIntLE(at, 3) / 8388608,
  '1/32': (data, at) => data.readInt32LE(at) / 2147483648,
  '3/32': (data, at) => data.readFloatLE(at),
};

function decode(data: Buffer, format: number, bits: number, channels: number): Float32Array[] {
  const read = SAMPLE_READERS[`${format}/${bits}`];
  if (!read) throw new Error(`unsupported WAV format ${format}, ${bits} bits`);
  const width = bits / 8;
  const frames = Math.floor(data.length / (width * channels));
  const samples = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let frame = 0; frame < frames; frame++)
    for (let channel = 0; channel < channels; channel++)
      samples[channel][frame] = read(data, (frame * channels + channel) * width);
  return samples;
}

export interface WavSpan {
  /** Default 0 (the left channel of a stereo file). */
  channel?: number;
  /** Start (s), default 0. */
  from?: number;
  /** Length (s), default: to the end. */
  seconds?: number;
}

async function wavSpan(file: string, { channel = 0, from = 0, seconds }: WavSpan) {
  const { rate, samples } = readWavFile(await readFile(file));
  if (!samples[channel]) throw new Error(`${file} has no channel ${channel}`);
  const start = Math.round(from * rate);
  const end = seconds === undefined ? undefined : start + Math.round(seconds * rate);
  return { rate, x: samples[channel].subarray(start, end) };
}

/** Root mean square (full scale = 1) of one channel of a WAV file, or of a span of it. */
export async function rms(file: string, span: WavSpan = {}): Promise<number> {
  const { x } = await wavSpan(file, span);
  let sum = 0;
  for (const value of x) sum += value * value;
  return x.length ? Math.sqrt(sum / x.length) : 0;
}

/**
 * The strongest frequency (Hz) between 100 and 4000 Hz in one channel of a WAV file (or a span of it):
 * Goertzel power averaged over Hann-windowed blocks, first in 10 Hz steps over 50 ms blocks, then finer
 * around the peak over longer blocks (0.1 Hz steps at the end).
 */
export async function dominantFrequency(file: string, span: WavSpan = {}): Promise<number> {
  const { rate, x } = await wavSpan(file, span);
  if (x.length < rate * 0.05) throw new Error(`${file}: less than 50 ms of audio to analyse`);
  let peak = strongest(x, rate, 0.05, 100, Math.min(4000, rate / 2 - 10), 10);
  peak = strongest(x, rate, 0.5, peak - 20, peak + 20, 1);
  return strongest(x, rate, Infinity, peak - 2, peak + 2, 0.1);
}

function strongest(
  x: Float32Array,
  rate: number,
  blockSeconds: number,
  low: number,
  high: number,
  step: number,
) {
  const size = Math.min(x.length, Math.round(blockSeconds * rate));
  const blocks: Float32Array[] = [];
  for (let start = 0; start + size <= x.length; start += size) {
    const block = x.slice(start, start + size);
    for (let i = 0; i < size; i++) block[i] *= 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1));
    blocks.push(block);
  }
  let best = { hz: low, power: -1 };
  for (let hz = Math.max(low, step); hz <= high + 1e-9; hz += step) {
    const coefficient = 2 * Math.cos((2 * Math.PI * hz) / rate);
    let power = 0;
    for (const block of blocks) {
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < block.length; i++) {
        const s = block[i] + coefficient * s1 - s2;
        s2 = s1;
        s1 = s;
      }
      power += s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    }
    if (power > best.power) best = { hz, power };
  }
  return Math.round(best.hz * 10) / 10;
}
