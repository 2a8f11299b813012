import { ConfigError, loadConfig } from './config';
import { VARIABLES } from './variables';

describe('configuration', () => {
  it('has working local defaults for everything', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      idleTimeoutMs: 60000,
      trustedProxies: [],
      metricsPort: 9464,
    });
    expect(config.nats).toEqual({ servers: ['nats://127.0.0.1:4222'], prefix: 'mind' });
    expect(config.env).toBe('development');
  });

  it('reads overrides and lists of NATS servers', () => {
    const config = loadConfig({
      MIND_HTTP_PORT: '9000',
      NATS_URL: 'nats://a:4222, nats://b:4222',
      MIND_ENV: 'production',
    });
    expect(config.http.port).toBe(9000);
    expect(config.nats.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(config.env).toBe('production');
  });

  it.each([
    ['MIND_HTTP_PORT', '80000'],
    ['MIND_HTTP_PORT', 'eighty'],
    ['MIND_ENV', 'staging'],
    ['DATABASE_URL', 'not a url'],
    ['MIND_RPC_TIMEOUT_MS', '-5'],
    ['MIND_MEDIA_SIMULCAST_CODECS', 'VP8,AV1'],
    ['MIND_MEDIA_SIMULCAST_CODECS', 'VP8,vp8'],
    ['MIND_MEDIA_SINGLE_STREAM_CODECS', ''],
    ['MIND_OUTBOUND_PORTS', 'rtmp'],
    ['MIND_OUTBOUND_PORTS', 'rtmp:99999'],
  ])('refuses %s=%s with a clear message', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('reads the publishing codec lists in order, whatever their case', () => {
    expect(loadConfig({}).media.publishing).toEqual({
      simulcast: ['VP8', 'H264'],
      single: ['VP9', 'VP8', 'H264'],
    });
    expect(loadConfig({ MIND_MEDIA_SIMULCAST_CODECS: 'h264, vp8' }).media.publishing.simulcast).toEqual([
      'H264',
      'VP8',
    ]);
  });

  it('reads the outbound rules', () => {
    expect(loadConfig({}).outbound).toEqual({
      allow: [],
      ports: { rtmp: [1935], rtmps: [443, 1935], sip: [5060], sips: [5061] },
    });
    expect(loadConfig({ MIND_OUTBOUND_ALLOW: '10.0.0.0/8, sink.internal' }).outbound.allow).toEqual([
      '10.0.0.0/8',
      'sink.internal',
    ]);
  });

  it('trusts the proxies it is told, and refuses what is not an address or a network', () => {
    expect(loadConfig({ MIND_HTTP_TRUST_PROXY: '10.0.0.0/8, ::1' }).http.trustedProxies).toEqual([
      '10.0.0.0/8',
      '::1',
    ]);
    for (const bad of ['true', 'proxy.internal', '10.0.0.0/33', '10.0.0.1/8/8']) {
      expect(() => loadConfig({ MIND_HTTP_TRUST_PROXY: bad })).toThrow(/MIND_HTTP_TRUST_PROXY/);
    }
  });

  it('reads NATS credentials and TLS files, which go in pairs', () => {
    const nats = loadConfig({
      MIND_NATS_USER: 'mind',
      MIND_NATS_PASSWORD: 'secret',
      MIND_NATS_TLS_CA_FILE: '/ca.pem',
    }).nats;
    expect(nats).toMatchObject({ user: 'mind', password: 'secret', tls: { caFile: '/ca.pem' } });
    expect(() => loadConfig({ MIND_NATS_USER: 'mind' })).toThrow(/MIND_NATS_PASSWORD/);
    expect(() => loadConfig({ MIND_NATS_TLS_CERT_FILE: '/c.pem' })).toThrow(/MIND_NATS_TLS_KEY_FILE/);
  });

  it('documents every variable', () => {
    for (const spec of Object.values(VARIABLES)) expect(spec.description.length).toBeGreaterThan(10);
  });
});
