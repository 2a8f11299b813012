/**
 * Every environment variable the platform reads, with its default. The README's configuration table
 * is checked against this list by a test, so the two cannot drift apart.
 */
export interface VariableSpec {
  default: string;
  description: string;
  kind: 'string' | 'optional-string' | 'port' | 'integer' | 'url' | 'boolean' | 'enum' | 'list';
  /** What an `enum` may be, or what each comma-separated entry of a `list` may be. */
  values?: readonly string[];
}

export const VARIABLES = {
  MIND_ENV: {
    default: 'development',
    kind: 'enum',
    values: ['development', 'production', 'test'],
    description: 'In `development` the shared development application of the reference is created on start.',
  },
  MIND_HTTP_HOST: { default: '127.0.0.1', kind: 'string', description: 'Address the gateway listens on.' },
  MIND_HTTP_PORT: { default: '8080', kind: 'port', description: 'Port of the public API (gateway).' },
  MIND_HTTP_HEADERS_TIMEOUT_MS: {
    default: '10000',
    kind: 'integer',
    description:
      'How long the gateway waits for a request’s headers (an application socket’s upgrade included) before it closes the connection.',
  },
  MIND_HTTP_REQUEST_TIMEOUT_MS: {
    default: '30000',
    kind: 'integer',
    description: 'How long the gateway waits for a whole request, body included, before it answers 408.',
  },
  MIND_HTTP_IDLE_TIMEOUT_MS: {
    default: '60000',
    kind: 'integer',
    description:
      'How long a connection to the gateway may stay silent (no bytes either way) before it is closed.',
  },
  MIND_GATEWAY_METRICS_PORT: {
    default: '9464',
    kind: 'port',
    description:
      'Port of the gateway’s `/metrics` for Prometheus, apart from the public API (on `MIND_HTTP_HOST`); 0 serves none.',
  },
  MIND_CONFERENCE_HEALTH_PORT: {
    default: '8081',
    kind: 'port',
    description: 'Port of `/healthz`, `/readyz` and `/metrics` of the conference service.',
  },
  MIND_CONFERENCE_API_PORT: {
    default: '0',
    kind: 'port',
    description:
      'When not 0, the conference service also serves the public API on this port (on `MIND_HTTP_HOST`), running each call in its own process instead of receiving it from a gateway over NATS: one hop less per call. 0 serves none.',
  },
  MIND_NOTIFIER_HOST: {
    default: '127.0.0.1',
    kind: 'string',
    description: 'Address the notifier listens on.',
  },
  MIND_NOTIFIER_PORT: {
    default: '8082',
    kind: 'port',
    description:
      'Port of the notifier (application WebSockets, proxied by the gateway; health routes and `/metrics`).',
  },
  MIND_NOTIFIER_MAX_BUFFER_BYTES: {
    default: '1048576',
    kind: 'integer',
    description:
      'Notification bytes an application socket may leave unread; a socket that would go over is closed with 4002 (see “Limits and protections”).',
  },
  MIND_NOTIFIER_URL: {
    default: 'http://127.0.0.1:8082',
    kind: 'url',
    description: 'Where the gateway forwards application WebSocket upgrades (a notifier or a load balancer).',
  },
  DATABASE_URL: {
    default: 'postgres://mind:mind@127.0.0.1:5432/mind',
    kind: 'url',
    description: 'PostgreSQL connection URL.',
  },
  REDIS_URL: { default: 'redis://127.0.0.1:6379', kind: 'url', description: 'Redis connection URL.' },
  NATS_URL: {
    default: 'nats://127.0.0.1:4222',
    kind: 'url',
    description: 'NATS server(s), comma-separated.',
  },
  MIND_NATS_USER: {
    default: '',
    kind: 'optional-string',
    description:
      'User the services authenticate to NATS with (with MIND_NATS_PASSWORD); `npm start` and `npm test` set it.',
  },
  MIND_NATS_PASSWORD: {
    default: '',
    kind: 'optional-string',
    description: 'Its password.',
  },
  MIND_NATS_TLS_CA_FILE: {
    default: '',
    kind: 'optional-string',
    description: 'Certificates (PEM) the NATS servers must be signed by; set, the services talk TLS to NATS.',
  },
  MIND_NATS_TLS_CERT_FILE: {
    default: '',
    kind: 'optional-string',
    description:
      'Client certificate (PEM) for NATS servers that verify clients (with MIND_NATS_TLS_KEY_FILE).',
  },
  MIND_NATS_TLS_KEY_FILE: {
    default: '',
    kind: 'optional-string',
    description: 'Its private key (PEM).',
  },
  MIND_NATS_PREFIX: {
    default: 'mind',
    kind: 'string',
    description: 'Prefix of every NATS subject and of the JetStream stream name (isolates deployments).',
  },
  MIND_RATE_WINDOW_S: {
    default: '60',
    kind: 'integer',
    description:
      'Window of the rate limits, in seconds: it opens at a subject’s first counted request (counted in Redis across gateway instances).',
  },
  MIND_RATE_FAILED_AUTH_PER_IP: {
    default: '60',
    kind: 'integer',
    description:
      'Requests with a missing or invalid token one address may make per window; beyond, everything it asks is answered 429.',
  },
  MIND_RATE_MESSAGES_PER_TOKEN: {
    default: '300',
    kind: 'integer',
    description: 'Messages one token may send per window.',
  },
  MIND_RATE_MESSAGES_PER_IP: {
    default: '3000',
    kind: 'integer',
    description: 'Messages one address may send per window.',
  },
  MIND_RATE_OFFERS_PER_TOKEN: {
    default: '300',
    kind: 'integer',
    description: 'Session offers (SDP) one token may send per window.',
  },
  MIND_RATE_OFFERS_PER_IP: {
    default: '3000',
    kind: 'integer',
    description: 'Session offers (SDP) one address may send per window.',
  },
  MIND_RPC_TIMEOUT_MS: {
    default: '5000',
    kind: 'integer',
    description: 'How long the gateway waits for a service to answer.',
  },
  MIND_EXPIRY_SWEEP_MS: {
    default: '5000',
    kind: 'integer',
    description: 'Upper bound between two sweeps for conferences whose `endingAt` has passed.',
  },
  MIND_DEFAULT_MAX_PARTICIPANTS: {
    default: '100',
    kind: 'integer',
    description: 'Participant limit of applications created without one.',
  },
  MIND_DEFAULT_MAX_DURATION_S: {
    default: '86400',
    kind: 'integer',
    description: 'Conference duration limit (seconds) of new applications.',
  },
  MIND_BODY_LIMIT_BYTES: {
    default: '1048576',
    kind: 'integer',
    description: 'Largest accepted request body.',
  },
  MIND_MEDIA_PLACEMENT: {
    default: 'least-loaded',
    kind: 'enum',
    values: ['least-loaded', 'random'],
    description: 'How a conference picks its media node on its first session.',
  },
  MIND_MEDIA_NODE_ID: {
    default: '',
    kind: 'optional-string',
    description: 'Name of a media node (stable across restarts); the host name when empty.',
  },
  MIND_MEDIA_WORKERS: {
    default: '0',
    kind: 'integer',
    description: 'mediasoup workers per media node; 0 means one per CPU core.',
  },
  MIND_MEDIA_LISTEN_IP: {
    default: '127.0.0.1',
    kind: 'string',
    description: 'Address the media node receives WebRTC traffic on.',
  },
  MIND_MEDIA_ANNOUNCED_ADDRESS: {
    default: '',
    kind: 'optional-string',
    description:
      'Address given to clients in ICE candidates (public IP or name) when it differs from the listening one.',
  },
  MIND_MEDIA_PIPE_ADDRESS: {
    default: '',
    kind: 'optional-string',
    description:
      "Address other media nodes reach this one's pipes on (conferences spread over nodes); the announced or listening one when empty.",
  },
  MIND_MEDIA_SPREAD_ABOVE: {
    default: '200',
    kind: 'integer',
    description:
      "Sessions of one conference a node takes before the conference's further participants go to other nodes (their streams piped between them).",
  },
  MIND_MEDIA_RTC_MIN_PORT: { default: '40000', kind: 'port', description: 'Lowest UDP/TCP port for WebRTC.' },
  MIND_MEDIA_RTC_MAX_PORT: {
    default: '49999',
    kind: 'port',
    description: 'Highest UDP/TCP port for WebRTC.',
  },
  MIND_MEDIA_HEALTH_PORT: {
    default: '8083',
    kind: 'port',
    description: 'Port of `/healthz`, `/readyz` and `/metrics` of a media node.',
  },
  MIND_MEDIA_MAX_LINES: {
    default: '256',
    kind: 'integer',
    description:
      'm-lines one SDP offer may have (5 are the participant’s own, the rest subscriptions: at most one consumer each).',
  },
  MIND_MEDIA_MAX_SESSIONS: {
    default: '1000',
    kind: 'integer',
    description: 'WebRTC sessions (transports) one media node holds; a new one beyond is answered 429.',
  },
  MIND_MEDIA_RECONNECT_WINDOW_MS: {
    default: '10000',
    kind: 'integer',
    description:
      'How long a participant whose connection went away stays online (sending nothing) for a client that recovers with a new session.',
  },
  MIND_MEDIA_SIMULCAST_CODECS: {
    default: 'VP8,H264',
    kind: 'list',
    values: ['VP8', 'H264', 'VP9'],
    description:
      'Video codecs a media node takes from publishers that send simulcast (Mind SDKs by default, Safari), first preferred.',
  },
  MIND_MEDIA_SINGLE_STREAM_CODECS: {
    default: 'VP9,VP8,H264',
    kind: 'list',
    values: ['VP8', 'H264', 'VP9'],
    description:
      'Video codecs a media node takes from publishers that send one encoding (the SDK option for VP9 SVC), first preferred.',
  },
  MIND_MEDIA_SPOOL_DIR: {
    default: '/tmp/mind-media-spool',
    kind: 'string',
    description:
      'Where media nodes write recording segments until stored; a node stores its leftovers when it restarts.',
  },
  MIND_STORAGE: {
    default: 'local',
    kind: 'enum',
    values: ['local', 's3'],
    description: 'Where recordings are stored: `MIND_STORAGE_DIR`, or the S3-compatible bucket below.',
  },
  MIND_S3_ENDPOINT: {
    default: '',
    kind: 'optional-string',
    description: 'S3 endpoint URL (AWS, MinIO, Ceph, ...), path-style; required with `MIND_STORAGE=s3`.',
  },
  MIND_S3_BUCKET: {
    default: '',
    kind: 'optional-string',
    description: 'S3 bucket; required with `MIND_STORAGE=s3`.',
  },
  MIND_S3_REGION: {
    default: 'us-east-1',
    kind: 'string',
    description: 'S3 region used in request signatures.',
  },
  MIND_S3_ACCESS_KEY_ID: { default: '', kind: 'optional-string', description: 'S3 access key id.' },
  MIND_S3_SECRET_ACCESS_KEY: { default: '', kind: 'optional-string', description: 'S3 secret access key.' },
  MIND_STORAGE_DIR: {
    default: '/var/lib/mind-platform/storage',
    kind: 'string',
    description:
      'Directory of recordings and previews (shared by the media nodes, the recording workers and the gateways).',
  },
  MIND_RECORDING_CONCURRENCY: {
    default: '1',
    kind: 'integer',
    description: 'Recording jobs one recording worker runs at once.',
  },
  MIND_RECORDING_HEALTH_PORT: {
    default: '8085',
    kind: 'port',
    description: 'Port of `/healthz`, `/readyz` and `/metrics` of a recording worker.',
  },
  MIND_TRANSCRIBER_ID: {
    default: '',
    kind: 'optional-string',
    description: 'Name of a transcription worker (stable across restarts); the host name when empty.',
  },
  MIND_TRANSCRIPTION_LISTEN_IP: {
    default: '127.0.0.1',
    kind: 'string',
    description: "Address a transcription worker takes participants' voices (RTP from the media nodes) on.",
  },
  MIND_TRANSCRIPTION_ANNOUNCED_ADDRESS: {
    default: '',
    kind: 'optional-string',
    description:
      'Address the media nodes send voices to when it differs from the listening one (NAT, containers).',
  },
  MIND_TRANSCRIPTION_ENGINE: {
    default: 'pocketsphinx',
    kind: 'enum',
    values: ['pocketsphinx', 'sherpa-onnx'],
    description: 'Speech recognition engine of the transcription workers (see `libs/asr/README.md`).',
  },
  MIND_TRANSCRIPTION_MODELS: {
    default: '',
    kind: 'optional-string',
    description:
      "The engine's model directory per language, as `en=/models/en,de=/models/de`; empty: PocketSphinx's English from Debian (`pocketsphinx-en-us`).",
  },
  MIND_TRANSCRIPTION_MAX_STREAMS: {
    default: '0',
    kind: 'integer',
    description:
      'Voices one transcription worker recognises at once; 0: four per CPU core (a live voice takes 12-18% of a core).',
  },
  MIND_TRANSCRIPTION_HEALTH_PORT: {
    default: '8086',
    kind: 'port',
    description: 'Port of `/healthz`, `/readyz` and `/metrics` of a transcription worker.',
  },
  MIND_SIP_GATEWAY_ID: {
    default: '',
    kind: 'optional-string',
    description: 'Name of a SIP gateway (stable across restarts); the host name when empty.',
  },
  MIND_SIP_LISTEN_IP: {
    default: '127.0.0.1',
    kind: 'string',
    description: 'Address a SIP gateway sends and takes SIP (UDP and TCP) and phone RTP on.',
  },
  MIND_SIP_PORT: {
    default: '5060',
    kind: 'port',
    description: 'SIP port (UDP and TCP) of a SIP gateway.',
  },
  MIND_SIP_TLS_PORT: {
    default: '5061',
    kind: 'port',
    description:
      'SIP over TLS port of a SIP gateway (`sips:` calls; peers send their requests in a call there).',
  },
  MIND_SIP_TLS_CA_FILE: {
    default: '/etc/ssl/certs/ca-certificates.crt',
    kind: 'string',
    description:
      "Certificates a `sips:` peer's must be signed by (its name, or its address, is checked too).",
  },
  MIND_SIP_TLS_CERT_FILE: {
    default: '',
    kind: 'optional-string',
    description:
      "A SIP gateway's own certificate (PEM) for its TLS port; empty: peers cannot open TLS connections to it.",
  },
  MIND_SIP_TLS_KEY_FILE: {
    default: '',
    kind: 'optional-string',
    description: 'The private key (PEM) of `MIND_SIP_TLS_CERT_FILE`.',
  },
  MIND_SIP_ANNOUNCED_ADDRESS: {
    default: '',
    kind: 'optional-string',
    description:
      'Address phones reach a SIP gateway on when it differs from the listening one (NAT, containers): its Via, Contact and SDP.',
  },
  MIND_SIP_RTP_MIN_PORT: {
    default: '31000',
    kind: 'port',
    description: 'Lowest UDP port of phone RTP on a SIP gateway (one port per call).',
  },
  MIND_SIP_RTP_MAX_PORT: {
    default: '31999',
    kind: 'port',
    description: 'Highest UDP port of phone RTP on a SIP gateway.',
  },
  MIND_SIP_MEDIA_IP: {
    default: '127.0.0.1',
    kind: 'string',
    description: "Address a SIP gateway exchanges a call's audio with the media nodes on.",
  },
  MIND_SIP_USERNAME: {
    default: '',
    kind: 'optional-string',
    description:
      'User name a SIP gateway answers digest challenges (401/407) with; empty: calls that are challenged fail.',
  },
  MIND_SIP_PASSWORD: {
    default: '',
    kind: 'optional-string',
    description: 'Password for `MIND_SIP_USERNAME`.',
  },
  MIND_SIP_HEALTH_PORT: {
    default: '8087',
    kind: 'port',
    description: 'Port of `/healthz`, `/readyz` and `/metrics` of a SIP gateway.',
  },
  MIND_MIXER_WIDTH: {
    default: '1280',
    kind: 'integer',
    description: 'Width of the mixed conference video (rounded down to a multiple of 4).',
  },
  MIND_MIXER_HEIGHT: {
    default: '720',
    kind: 'integer',
    description: 'Height of the mixed conference video (rounded down to a multiple of 4).',
  },
  MIND_MIXER_FPS: {
    default: '25',
    kind: 'integer',
    description: 'Frame rate of the mixed conference video.',
  },
  MIND_MIXER_VIDEO_BITRATE: {
    default: '2500000',
    kind: 'integer',
    description: 'Bitrate (bits/s) of the mixed video (H.264).',
  },
  MIND_MIXER_AUDIO_BITRATE: {
    default: '64000',
    kind: 'integer',
    description: 'Bitrate (bits/s) of each mixed audio stream (Opus).',
  },
  MIND_MIXER_IDLE_STOP_MS: {
    default: '10000',
    kind: 'integer',
    description: 'How long a mixer keeps running after its last subscriber, recording or stream is gone.',
  },
  MIND_HTTP_TRUST_PROXY: {
    default: '',
    kind: 'optional-string',
    description:
      'Proxies whose X-Forwarded-For the gateway believes (comma-separated addresses and networks); empty: none, the client is the connecting address.',
  },
  MIND_OUTBOUND_ALLOW: {
    default: '',
    kind: 'optional-string',
    description:
      'Destinations the platform may connect to although private, local or reserved (comma-separated networks, addresses and host names), on any port.',
  },
  MIND_OUTBOUND_PORTS: {
    default: 'rtmp:1935,rtmps:443,rtmps:1935,sip:5060,sips:5061',
    kind: 'string',
    description: 'Ports every other destination must use, per scheme (comma-separated `scheme:port`).',
  },
  MIND_MAX_STREAMINGS: {
    default: '5',
    kind: 'integer',
    description: 'Streamings one conference may have at once (each is an ffmpeg pushing the mixed media).',
  },
  MIND_STREAMING_CA_FILE: {
    default: '/etc/ssl/certs/ca-certificates.crt',
    kind: 'string',
    description: 'Certificates an rtmps:// destination must be signed by (its name is checked too).',
  },
  MIND_DEMO_PORT: {
    default: '8084',
    kind: 'port',
    description: 'Port of the demo web application (`npm start` runs it).',
  },
  MIND_DEMO_API_URL: {
    default: 'http://127.0.0.1:8080',
    kind: 'url',
    description: "The public API as the demo and its visitors' browsers reach it.",
  },
  MIND_DEMO_APPLICATION_ID: {
    default: '00e1db72-c57d-478c-88be-3533d43c8b34',
    kind: 'string',
    description:
      'Application the demo creates its conferences in (the shared development application by default).',
  },
  MIND_DEMO_APPLICATION_TOKEN: {
    default:
      'W1VJggwnvg2ldDdvSYES07tpLCWLDlD5nFakVJ6QSCPiZRpAMGyAzKW07OpM1IpceZ2WT5h5Mu7Ekt7WDTQzMUoQkVTRE4NdYUFE',
    kind: 'string',
    description: "That application's token.",
  },
  LOG_LEVEL: {
    default: 'info',
    kind: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'pino log level.',
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;
