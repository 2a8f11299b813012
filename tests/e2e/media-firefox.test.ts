import {
  FirefoxHarness,
  inbound,
  TestNetwork,
  useMediaTestbed,
  waitFor,
  type FirefoxJoined,
  type Joined,
} from './harness';

const decodes = (page: Joined['page'] | FirefoxJoined['page'], frames: number) =>
  waitFor(
    () => inbound(page),
    (stats) =>
      stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > frames && (s.frameWidth ?? 0) > 0) &&
      stats.some((s) => s.kind === 'audio' && (s.packetsReceived ?? 0) > 20),
    20_000,
  );

/**
 * Firefox ESR numbers payload types and header extensions unlike libwebrtc: it subscribes with its
 * own numbering and publishes with it. Firefox pairs only non-loopback addresses, so the media node
 * listens on a test network of our own.
 */
describe('Firefox ESR with Chromium', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await TestNetwork.create();
  });
  const testbed = useMediaTestbed(() => ({ MIND_MEDIA_LISTEN_IP: network.address }));
  let firefox: FirefoxHarness;
  beforeAll(async () => {
    firefox = await FirefoxHarness.start(testbed.browser.origin);
  });
  afterAll(async () => {
    await firefox?.close();
    await network?.close();
  });

  it('Firefox subscribes to a Chromium publisher: decodes its VP8 video (its own payload types) and hears it', async () => {
    const { platform, app } = testbed;
    const { id: conferenceId } = await testbed.conference('firefox-subscriber');
    const publisher = await testbed.join(conferenceId, 'Chromium', true);
    const subscriber = await firefox.join(platform, app, conferenceId, 'Firefox', false);
    await subscriber.page.evaluate((label) => (globalThis as any).watch(label), `${publisher.id}#primary`);
    const stats = await decodes(subscriber.page, 20);
    expect(stats.find((s) => s.kind === 'video')!.codec).toBe('video/VP8');
  });

  it('Firefox publishes to a Chromium subscriber', async () => {
    const { platform, app } = testbed;
    const { id: conferenceId } = await testbed.conference('firefox-publisher');
    const publisher = await firefox.join(platform, app, conferenceId, 'Firefox', true);
    const subscriber = await testbed.join(conferenceId, 'Chromium', false);
    await subscriber.page.evaluate((label) => (globalThis as any).watch(label), `${publisher.id}#primary`);
    await decodes(subscriber.page, 20);
  });

  it('Firefox watches the mixed conference stream, in VP8 (it cannot decode the H.264 one)', async () => {
    const { platform, app } = testbed;
    const { id: conferenceId } = await testbed.conference('firefox-mixed');
    await testbed.join(conferenceId, 'Chromium', true);
    const viewer = await firefox.join(platform, app, conferenceId, 'Firefox', false);
    await viewer.page.evaluate(() => (globalThis as any).watch('conference', ['video']));
    const stats = await waitFor(
      () => inbound(viewer.page),
      (list) => list.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 20 && s.frameWidth === 1280),
      30_000,
    );
    expect(stats.find((s) => s.kind === 'video')!.codec).toBe('video/VP8');
  });
});
