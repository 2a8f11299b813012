import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { VARIABLES, type VariableName, type VariableSpec } from './variables';

export class ConfigError extends Error {}

function parse(name: VariableName, raw: string): string | number | boolean {
  const spec: VariableSpec = VARIABLES[name];
  switch (spec.kind) {
    case 'port':
    case 'integer': {
      const value = Number(raw);
      const max = spec.kind === 'port' ? 65535 : Number.MAX_SAFE_INTEGER;
      if (!/^\d+$/.test(raw) || value > max)
        throw new ConfigError(`${name} must be an integer, got "${raw}"`);
      return value;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false`);
      return raw === 'true';
    case 'enum':
      if (!spec.values?.includes(raw))
        throw new ConfigError(`${name} must be one of ${spec.values?.join(', ')}`);
      return raw;
    case 'url':
      for (const part of raw.split(',')) {
        if (!URL.canParse(part.trim())) throw new ConfigError(`${name} must be a URL, got "${part}"`);
      }
      return raw;
    case 'list': {
      const entries = raw.split(',').map((entry) => entry.trim().toUpperCase());
      const unknown = entries.find((entry) => !spec.values?.includes(entry));
      if (unknown !== undefined)
        throw new ConfigError(`${name} must list some of ${spec.values?.join(', ')}, got "${unknown}"`);
      if (new Set(entries).size !== entries.length) throw new ConfigError(`${name} lists an entry twice`);
      return entries.join(',');
    }
    case 'optional-string':
      return raw;
    default:
      if (raw === '') throw new ConfigError(`${name} must not be empty`);
      return raw;
  }
}

/** Reads and validates the whole configuration at start-up; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const read = <T>(name: VariableName) => parse(name, env[name] ?? VARIABLES[name].default) as T;
  return {
    env: read<'development' | 'production' | 'test'>('MIND_ENV'),
    http: {
      host: read<string>('MIND_HTTP_HOST'),
      port: read<number>('MIND_HTTP_PORT'),
      headersTimeoutMs: read<number>('MIND_HTTP_HEADERS_TIMEOUT_MS'),
      requestTimeoutMs: read<number>('MIND_HTTP_REQUEST_TIMEOUT_MS'),
      idleTimeoutMs: read<number>('MIND_HTTP_IDLE_TIMEOUT_MS'),
      trustedProxies: addressList('MIND_HTTP_TRUST_PROXY', read<string>('MIND_HTTP_TRUST_PROXY')),
      metricsPort: read<number>('MIND_GATEWAY_METRICS_PORT'),
    },
    conferenceHealthPort: read<number>('MIND_CONFERENCE_HEALTH_PORT'),
    conferenceApiPort: read<number>('MIND_CONFERENCE_API_PORT'),
    notifier: {
      host: read<string>('MIND_NOTIFIER_HOST'),
      port: read<number>('MIND_NOTIFIER_PORT'),
      url: read<string>('MIND_NOTIFIER_URL'),
      maxBufferBytes: read<number>('MIND_NOTIFIER_MAX_BUFFER_BYTES'),
    },
    databaseUrl: read<string>('DATABASE_URL'),
    redisUrl: read<string>('REDIS_URL'),
    nats: {
      servers: read<string>('NATS_URL')
        .split(',')
        .map((s) => s.trim()),
      prefix: read<string>('MIND_NATS_PREFIX'),
      ...natsCredentials(read),
    },
    rpcTimeoutMs: read<number>('MIND_RPC_TIMEOUT_MS'),
    rateLimits: {
      windowS: Math.max(1, read<number>('MIND_RATE_WINDOW_S')),
      failedAuthPerIp: read<number>('MIND_RATE_FAILED_AUTH_PER_IP'),
      messagesPerToken: read<number>('MIND_RATE_MESSAGES_PER_TOKEN'),
      messagesPerIp: read<number>('MIND_RATE_MESSAGES_PER_IP'),
      offersPerToken: read<number>('MIND_RATE_OFFERS_PER_TOKEN'),
      offersPerIp: read<number>('MIND_RATE_OFFERS_PER_IP'),
    },
    expirySweepMs: read<number>('MIND_EXPIRY_SWEEP_MS'),
    defaults: {
      maxParticipants: read<number>('MIND_DEFAULT_MAX_PARTICIPANTS'),
      maxDurationSeconds: read<number>('MIND_DEFAULT_MAX_DURATION_S'),
    },
    bodyLimitBytes: read<number>('MIND_BODY_LIMIT_BYTES'),
    media: {
      placement: read<string>('MIND_MEDIA_PLACEMENT'),
      nodeId: read<string>('MIND_MEDIA_NODE_ID') || hostname(),
      workers: read<number>('MIND_MEDIA_WORKERS') || availableParallelism(),
      listenIp: read<string>('MIND_MEDIA_LISTEN_IP'),
      announcedAddress: read<string>('MIND_MEDIA_ANNOUNCED_ADDRESS') || undefined,
      pipeAddress:
        read<string>('MIND_MEDIA_PIPE_ADDRESS') ||
        read<string>('MIND_MEDIA_ANNOUNCED_ADDRESS') ||
        read<string>('MIND_MEDIA_LISTEN_IP'),
      spreadAbove: read<number>('MIND_MEDIA_SPREAD_ABOVE'),
      rtcMinPort: read<number>('MIND_MEDIA_RTC_MIN_PORT'),
      rtcMaxPort: read<number>('MIND_MEDIA_RTC_MAX_PORT'),
      healthPort: read<number>('MIND_MEDIA_HEALTH_PORT'),
      spoolDir: read<string>('MIND_MEDIA_SPOOL_DIR'),
      reconnectWindowMs: read<number>('MIND_MEDIA_RECONNECT_WINDOW_MS'),
      maxLines: read<number>('MIND_MEDIA_MAX_LINES'),
      maxSessions: read<number>('MIND_MEDIA_MAX_SESSIONS'),
      publishing: {
        simulcast: read<string>('MIND_MEDIA_SIMULCAST_CODECS').split(','),
        single: read<string>('MIND_MEDIA_SINGLE_STREAM_CODECS').split(','),
      },
    },
    storage: storageSettings(read),
    recording: {
      concurrency: Math.max(1, read<number>('MIND_RECORDING_CONCURRENCY')),
      healthPort: read<number>('MIND_RECORDING_HEALTH_PORT'),
    },
    transcription: transcriptionSettings(read),
    sip: sipSettings(read),
    mixer: {
      width: Math.max(64, read<number>('MIND_MIXER_WIDTH') & ~3),
      height: Math.max(64, read<number>('MIND_MIXER_HEIGHT') & ~3),
      fps: Math.max(1, read<number>('MIND_MIXER_FPS')),
      videoBitrate: read<number>('MIND_MIXER_VIDEO_BITRATE'),
      audioBitrate: read<number>('MIND_MIXER_AUDIO_BITRATE'),
      idleStopMs: read<number>('MIND_MIXER_IDLE_STOP_MS'),
    },
    streaming: {
      caFile: read<string>('MIND_STREAMING_CA_FILE'),
      maxPerConference: read<number>('MIND_MAX_STREAMINGS'),
    },
    outbound: outboundRules(read),
    demo: {
      port: read<number>('MIND_DEMO_PORT'),
      apiUrl: read<string>('MIND_DEMO_API_URL').replace(/\/+$/, ''),
      applicationId: read<string>('MIND_DEMO_APPLICATION_ID'),
      token: read<string>('MIND_DEMO_APPLICATION_TOKEN'),
    },
    logLevel: read<string>('LOG_LEVEL'),
  };
}

export type Config = ReturnType<typeof loadConfig>;

/** How the services prove who they are to NATS, and whether they talk TLS to it. */
function natsCredentials(read: <T>(name: VariableName) => T) {
  const user = read<string>('MIND_NATS_USER');
  const password = read<string>('MIND_NATS_PASSWORD');
  if (Boolean(user) !== Boolean(password))
    throw new ConfigError('MIND_NATS_USER and MIND_NATS_PASSWORD go together');
  const caFile = read<string>('MIND_NATS_TLS_CA_FILE');
  const certFile = read<string>('MIND_NATS_TLS_CERT_FILE');
  const keyFile = read<string>('MIND_NATS_TLS_KEY_FILE');
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new ConfigError('MIND_NATS_TLS_CERT_FILE and MIND_NATS_TLS_KEY_FILE go together');
  return {
    ...(user ? { user, password } : {}),
    ...(caFile || certFile ? { tls: { caFile, certFile, keyFile } } : {}),
  };
}

/** Addresses and networks (`10.0.0.0/8`, `::1`), checked at start. */
function addressList(name: VariableName, raw: string): string[] {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigError(`${name} must list addresses or networks, got "${entry}"`);
    }
  }
  return entries;
}

/** Where outbound connections (streaming destinations) may go: see `@mind/outbound`. */
function outboundRules(read: <T>(name: VariableName) => T) {
  const allow = read<string>('MIND_OUTBOUND_ALLOW')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const ports: Record<string, number[]> = {};
  for (const entry of read<string>('MIND_OUTBOUND_PORTS').split(',')) {
    const match = /^\s*([a-z][a-z0-9+.-]*):(\d{1,5})\s*$/i.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(`MIND_OUTBOUND_PORTS must list scheme:port pairs, got "${entry}"`);
    }
    (ports[match[1].toLowerCase()] ??= []).push(port);
  }
  return { allow, ports };
}

/** The transcription worker's engine and where its models are, checked at start. */
function transcriptionSettings(read: <T>(name: VariableName) => T) {
  const engine = read<'pocketsphinx' | 'sherpa-onnx'>('MIND_TRANSCRIPTION_ENGINE');
  const models: Record<string, string> = {};
  for (const entry of read<string>('MIND_TRANSCRIPTION_MODELS')
    .split(',')
    .filter((e) => e.trim())) {
    const match = /^\s*([a-z]{2})=(\S+)\s*$/.exec(entry);
    if (!match)
      throw new ConfigError(`MIND_TRANSCRIPTION_MODELS must list language=directory, got "${entry}"`);
    models[match[1]] = match[2];
  }
  if (engine === 'sherpa-onnx' && Object.keys(models).length === 0) {
    throw new ConfigError(
      'MIND_TRANSCRIPTION_ENGINE=sherpa-onnx needs a model directory in MIND_TRANSCRIPTION_MODELS',
    );
  }
  return {
    engine,
    /** Empty: the engine's default (PocketSphinx's English from Debian). */
    models,
    transcriberId: read<string>('MIND_TRANSCRIBER_ID') || hostname(),
    listenIp: read<string>('MIND_TRANSCRIPTION_LISTEN_IP'),
    announcedAddress: read<string>('MIND_TRANSCRIPTION_ANNOUNCED_ADDRESS') || undefined,
    maxStreams: read<number>('MIND_TRANSCRIPTION_MAX_STREAMS') || 4 * availableParallelism(),
    healthPort: read<number>('MIND_TRANSCRIPTION_HEALTH_PORT'),
  };
}

/** The SIP gateway's addresses, ports and default credentials. */
function sipSettings(read: <T>(name: VariableName) => T) {
  const username = read<string>('MIND_SIP_USERNAME');
  const password = read<string>('MIND_SIP_PASSWORD');
  if (Boolean(username) !== Boolean(password))
    throw new ConfigError('MIND_SIP_USERNAME and MIND_SIP_PASSWORD go together');
  const certFile = read<string>('MIND_SIP_TLS_CERT_FILE');
  const keyFile = read<string>('MIND_SIP_TLS_KEY_FILE');
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new ConfigError('MIND_SIP_TLS_CERT_FILE and MIND_SIP_TLS_KEY_FILE go together');
  const rtpMinPort = read<number>('MIND_SIP_RTP_MIN_PORT');
  const rtpMaxPort = read<number>('MIND_SIP_RTP_MAX_PORT');
  if (rtpMinPort > rtpMaxPort)
    throw new ConfigError('MIND_SIP_RTP_MIN_PORT must not be above MIND_SIP_RTP_MAX_PORT');
  return {
    gatewayId: read<string>('MIND_SIP_GATEWAY_ID') || hostname(),
    listenIp: read<string>('MIND_SIP_LISTEN_IP'),
    port: read<number>('MIND_SIP_PORT'),
    tls: {
      port: read<number>('MIND_SIP_TLS_PORT'),
      caFile: read<string>('MIND_SIP_TLS_CA_FILE'),
      ...(certFile ? { certFile, keyFile } : {}),
    },
    announcedAddress: read<string>('MIND_SIP_ANNOUNCED_ADDRESS') || undefined,
    rtpMinPort,
    rtpMaxPort,
    mediaIp: read<string>('MIND_SIP_MEDIA_IP'),
    credentials: username ? { username, password } : undefined,
    healthPort: read<number>('MIND_SIP_HEALTH_PORT'),
  };
}

function storageSettings(read: <T>(name: VariableName) => T) {
  const settings = {
    kind: read<string>('MIND_STORAGE'),
    dir: read<string>('MIND_STORAGE_DIR'),
    s3: {
      endpoint: read<string>('MIND_S3_ENDPOINT'),
      bucket: read<string>('MIND_S3_BUCKET'),
      region: read<string>('MIND_S3_REGION'),
      accessKeyId: read<string>('MIND_S3_ACCESS_KEY_ID'),
      secretAccessKey: read<string>('MIND_S3_SECRET_ACCESS_KEY'),
    },
  };
  if (settings.kind === 's3' && (!settings.s3.endpoint || !settings.s3.bucket)) {
    throw new ConfigError('MIND_STORAGE=s3 needs MIND_S3_ENDPOINT and MIND_S3_BUCKET');
  }
  return settings;
}
