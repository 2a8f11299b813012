import type { Page } from 'playwright-core';
import {
  client,
  inbound,
  isBlack,
  isCamera,
  isNameCard,
  isRed,
  joinFromPage,
  conferenceSpectrum,
  publishWithTone,
  samplePlayedVideo,
  shareScreen,
  showOwnCamera,
  useMediaTestbed,
  waitFor,
  type Joined,
} from './harness';

describe('mixer: the conference stream', () => {
  const testbed = useMediaTestbed();

  it('three speakers in a mosaic: a fourth participant decodes one picture of three tiles and hears the mix', async () => {
    const { id: conferenceId } = await testbed.conference('mixed');
    const api = client(testbed.platform.url, testbed.app.token);
    const speakers: Joined[] = [];
    for (const name of ['Ann', 'Bob', 'Cid']) speakers.push(await testbed.join(conferenceId, name, true));
    const viewer = await testbed.join(conferenceId, 'Viewer', false);
    await api.patch(`/${testbed.app.id}/${conferenceId}/participants/${viewer.id}`, { role: 'attendee' });

    await viewer.page.evaluate(() => (globalThis as any).watch('conference'));
    await waitFor(
      () => inbound(viewer.page),
      (stats) =>
        stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 25 && s.frameWidth === 1280) &&
        stats.some((s) => s.kind === 'audio' && (s.packetsReceived ?? 0) > 50),
      30_000,
    );
    // 3 tiles of 640x360: two on top, one centred below; black where no tile is.
    const tileCentres: [number, number][] = [
      [320, 180],
      [960, 180],
      [640, 540],
    ];
    const blanks: [number, number][] = [
      [100, 540],
      [1180, 540],
    ];
    const picture = await waitFor(
      () => samplePlayedVideo(viewer.page, [...tileCentres, ...blanks]),
      (sampled) => sampled !== null && sampled.samples.slice(0, 3).every(isCamera),
      20_000,
    );
    expect([picture!.width, picture!.height]).toEqual([1280, 720]);
    expect(picture!.samples.slice(3).every(isBlack)).toBe(true);
    // Colours come through: Ann's camera background (her tile is top-left, at its own size) looks
    // the same in the mix as on her page.
    await showOwnCamera(speakers[0].page);
    const own = await waitFor(
      () => samplePlayedVideo(speakers[0].page, [[40, 180]]),
      // Its first frames may not be painted yet (black).
      (sampled) => sampled !== null && isCamera(sampled.samples[0]),
    );
    const mixed = await samplePlayedVideo(viewer.page, [[40, 180]]);
    own!.samples[0].forEach((value, channel) =>
      expect(Math.abs(value - mixed!.samples[0][channel])).toBeLessThan(20),
    );

    // Ann turns her camera off and keeps talking: her tile shows her name card, the others go on,
    // and the mixed video never stops.
    const decoded = (await inbound(viewer.page)).find((s) => s.kind === 'video')!.framesDecoded!;
    await speakers[0].page.evaluate(async () => {
      const g = globalThis as any;
      const microphone = await g.navigator.mediaDevices.getUserMedia({ audio: true });
      await g.session.publish('primary', microphone);
    });
    await waitFor(
      () => samplePlayedVideo(viewer.page, tileCentres),
      (sampled) =>
        sampled !== null &&
        isNameCard(sampled.samples[0]) &&
        isCamera(sampled.samples[1]) &&
        isCamera(sampled.samples[2]),
      20_000,
    );
    await waitFor(
      () => inbound(viewer.page),
      (stats) => (stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0) > decoded + 50,
    );
  });

  it("gives each speaker the mix without its own voice, and listeners who are not mixed everyone's", async () => {
    const { id: conferenceId } = await testbed.conference('voices');
    const api = client(testbed.platform.url, testbed.app.token);
    const tones = { Ann: 500, Bob: 1100, Cid: 1700 };
    const speakers: Record<string, Awaited<ReturnType<typeof testbed.join>>> = {};
    for (const [name, hz] of Object.entries(tones)) {
      speakers[name] = await testbed.join(conferenceId, name, false);
      await publishWithTone(speakers[name].page, hz);
    }
    const listener = await testbed.join(conferenceId, 'Lis', false);
    await api.patch(`/${testbed.app.id}/${conferenceId}/participants/${listener.id}`, { role: 'attendee' });
    for (const page of [speakers.Ann.page, listener.page]) {
      await page.evaluate(() => (globalThis as any).watch('conference', ['audio']));
    }
    const frequencies = Object.values(tones);
    const audible = (levels: number[]) => levels.map((level) => level > -75);

    // The attendee hears all three tones: the analysis can hear Ann's.
    const full = await waitFor(
      () => conferenceSpectrum(listener.page, frequencies),
      (levels) => audible(levels).every(Boolean),
      20_000,
    );
    // Ann hears Bob and Cid, and her own tone is far below theirs.
    const ann = await waitFor(
      () => conferenceSpectrum(speakers.Ann.page, frequencies),
      (levels) => levels[1] > -75 && levels[2] > -75,
      20_000,
    );
    expect(ann[0]).toBeLessThan(Math.min(ann[1], ann[2]) - 30);
    expect(full[0]).toBeGreaterThan(ann[0] + 30);

    // Ann's own mix is encoded for her alone: it stops when she stops listening.
    const opusEncoders = async () =>
      testbed.platform.childrenOf('media').filter((p) => p.command.includes('libopus')).length;
    const before = await opusEncoders();
    await speakers.Ann.page.evaluate(() => (globalThis as any).session.unsubscribe('conference'));
    await waitFor(opusEncoders, (count) => count === before - 1, 10_000);
  });

  it('an attendee who talks and is made a speaker enters the mix, and still does not hear itself', async () => {
    const { id: conferenceId } = await testbed.conference('promotion');
    const api = client(testbed.platform.url, testbed.app.token);
    const ann = await testbed.join(conferenceId, 'Ann', false);
    await publishWithTone(ann.page, 500);
    const lis = await testbed.join(conferenceId, 'Lis', false);
    await api.patch(`/${testbed.app.id}/${conferenceId}/participants/${lis.id}`, { role: 'attendee' });
    await publishWithTone(lis.page, 1100);
    for (const { page } of [ann, lis]) {
      await page.evaluate(() => (globalThis as any).watch('conference', ['audio']));
    }
    const audible = (level: number) => level > -75;
    // An attendee is not mixed: Ann does not hear Lis, Lis hears Ann.
    await waitFor(
      () => conferenceSpectrum(lis.page, [500]),
      ([ann]) => audible(ann),
      20_000,
    );
    expect(audible((await conferenceSpectrum(ann.page, [1100]))[0])).toBe(false);

    // Made a speaker, without a new offer: Ann hears Lis now, and Lis still hears only Ann.
    await api.patch(`/${testbed.app.id}/${conferenceId}/participants/${lis.id}`, { role: 'speaker' });
    await waitFor(
      () => conferenceSpectrum(ann.page, [1100]),
      ([lis]) => audible(lis),
      20_000,
    );
    const [annTone, ownTone] = await conferenceSpectrum(lis.page, [500, 1100]);
    expect(ownTone).toBeLessThan(annTone - 30);
  });

  it('selector shows the loudest speaker full frame, and follows the voice to another speaker', async () => {
    const { id: conferenceId } = await testbed.conference('selector');
    const api = client(testbed.platform.url, testbed.app.token);
    await api.patch(`/${testbed.app.id}/${conferenceId}`, { layout: 'selector' });
    /** Publishes a tone whose loudness the test sets later (`setLoudness`), with the camera or not. */
    const speaker = async (name: string, hz: number, camera: boolean) => {
      const joined = await testbed.join(conferenceId, name, false);
      await joined.page.evaluate(
        async ({ hz, camera }) => {
          const g = globalThis as any;
          const audio = new g.AudioContext();
          const oscillator = audio.createOscillator();
          oscillator.frequency.value = hz;
          g.loudness = audio.createGain();
          g.loudness.gain.value = 0;
          const destination = audio.createMediaStreamDestination();
          oscillator.connect(g.loudness).connect(destination);
          oscillator.start();
          const video = camera
            ? (
                await g.navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } })
              ).getVideoTracks()
            : [];
          await g.session.publish(
            'primary',
            new g.MediaStream([...destination.stream.getAudioTracks(), ...video]),
          );
        },
        { hz, camera },
      );
      return joined;
    };
    const setLoudness = (page: Page, gain: number) =>
      page.evaluate((value) => ((globalThis as any).loudness.gain.value = value), gain);
    const ann = await speaker('Ann', 500, true);
    const bob = await speaker('Bob', 900, false);
    const viewer = await testbed.join(conferenceId, 'Vic', false);
    await api.patch(`/${testbed.app.id}/${conferenceId}/participants/${viewer.id}`, { role: 'attendee' });
    await viewer.page.evaluate(() => (globalThis as any).watch('conference', ['video']));
    const spots: [number, number][] = [
      [200, 150],
      [1080, 570],
    ];

    // Ann talks: her camera fills the frame.
    await setLoudness(ann.page, 0.5);
    await waitFor(
      () => samplePlayedVideo(viewer.page, spots),
      (sampled) => sampled !== null && sampled.samples.every(isCamera),
      30_000,
    );
    // Ann falls silent and Bob talks: after the hold time, Bob's name card fills the frame.
    await setLoudness(ann.page, 0);
    await setLoudness(bob.page, 0.5);
    await waitFor(
      () => samplePlayedVideo(viewer.page, spots),
      (sampled) => sampled !== null && sampled.samples.every(isNameCard),
      20_000,
    );
  });

  it('re-tiles on joins and leaves while someone watches, without a gap or a new stream', async () => {
    const { id: conferenceId } = await testbed.conference('comings');
    const api = client(testbed.platform.url, testbed.app.token);
    const base = `/${testbed.app.id}/${conferenceId}`;
    await testbed.join(conferenceId, 'Ann', true);
    const bob = await testbed.join(conferenceId, 'Bob', true);
    const viewer = await testbed.join(conferenceId, 'Vic', false);
    await api.patch(`${base}/participants/${viewer.id}`, { role: 'attendee' });
    await viewer.page.evaluate(() => (globalThis as any).watch('conference', ['video']));

    const sideBySide: [number, number][] = [
      [320, 360],
      [960, 360],
      [640, 60],
    ];
    const twoTiles = (sampled: Awaited<ReturnType<typeof samplePlayedVideo>>) =>
      sampled !== null &&
      isCamera(sampled.samples[0]) &&
      isCamera(sampled.samples[1]) &&
      isBlack(sampled.samples[2]);
    await waitFor(() => samplePlayedVideo(viewer.page, sideBySide), twoTiles, 30_000);
    // The third's page is loaded before the measure: a renderer starting up on this 2-core machine
    // starves the mixer's encoder too, which is not what this test is about.
    const cidPage = await testbed.browser.page();

    // From here on, the viewer notes its decoded frame count and the stream's SSRC every 100 ms.
    await viewer.page.evaluate(async () => {
      const g = globalThis as any;
      g.timeline = [];
      g.timer = g.setInterval(async () => {
        const report = await g.session.pc.getStats();
        report.forEach((s: any) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') {
            g.timeline.push({ at: g.performance.now(), frames: s.framesDecoded, ssrc: s.ssrc });
          }
        });
      }, 100);
    });

    // A third joins: three tiles. Bob leaves: two again, Ann's and Cid's.
    await joinFromPage(cidPage, testbed.platform, testbed.app, conferenceId, 'Cid', true);
    const threeTiles: [number, number][] = [
      [320, 180],
      [960, 180],
      [640, 540],
      [100, 540],
    ];
    await waitFor(
      () => samplePlayedVideo(viewer.page, threeTiles),
      (sampled) =>
        sampled !== null && sampled.samples.slice(0, 3).every(isCamera) && isBlack(sampled.samples[3]),
      20_000,
    );
    await bob.page.evaluate(() => (globalThis as any).session.leave());
    await waitFor(() => samplePlayedVideo(viewer.page, sideBySide), twoTiles, 20_000);

    const timeline: { at: number; frames: number; ssrc: number }[] = await viewer.page.evaluate(() => {
      const g = globalThis as any;
      g.clearInterval(g.timer);
      return g.timeline;
    });
    expect(new Set(timeline.map((t) => t.ssrc)).size).toBe(1);
    // No stall: a restarted mix would stand still for its cold start (3-5 s) and come with a new
    // stream. A browser that starts publishing takes CPU from the mixer's encoder on this 2-core
    // machine, which then drops frames until it catches up: with the third's page loaded beforehand,
    // the viewer's decoding stood still 0.2-0.4 s here and 0.4-0.5 s with a busy loop beside it (with
    // the page loaded meanwhile, 0.4-0.6 and 0.6-1.1 s, and 1.3 and 2.0 s in CI); the bound is 3 s.
    let longestStill = 0;
    let since = timeline[0].at;
    for (let i = 1; i < timeline.length; i++) {
      if (timeline[i].frames > timeline[i - 1].frames) since = timeline[i].at;
      longestStill = Math.max(longestStill, timeline[i].at - since);
    }
    console.info(`re-tiles: the viewer's decoding stood still ${Math.round(longestStill)} ms at most`);
    expect(longestStill).toBeLessThan(3000);
    // And it kept moving (the mix is 25 fps; four browsers on two cores decode what they can).
    const seconds = (timeline.at(-1)!.at - timeline[0].at) / 1000;
    expect((timeline.at(-1)!.frames - timeline[0].frames) / seconds).toBeGreaterThan(5);
  });

  it('switches to presentation mode when a presenter shares its screen, with its camera overlaid', async () => {
    const { id: conferenceId } = await testbed.conference('presentation');
    const api = client(testbed.platform.url, testbed.app.token);
    const base = `/${testbed.app.id}/${conferenceId}`;
    await api.patch(base, { layout: 'presenting_mosaic' });
    const presenter = await testbed.join(conferenceId, 'Pat', true);
    await api.patch(`${base}/participants/${presenter.id}`, { role: 'presenter' });
    await testbed.join(conferenceId, 'Sam', true);
    const viewer = await testbed.join(conferenceId, 'Vic', false);
    await api.patch(`${base}/participants/${viewer.id}`, { role: 'attendee' });
    await viewer.page.evaluate(() => (globalThis as any).watch('conference', ['video']));

    // Conversation: two camera tiles side by side, black above and below.
    const points: [number, number][] = [
      [320, 360],
      [960, 360],
      [640, 60],
      [1100, 610],
    ];
    await waitFor(
      () => samplePlayedVideo(viewer.page, points),
      (sampled) =>
        sampled !== null &&
        isCamera(sampled.samples[0]) &&
        isCamera(sampled.samples[1]) &&
        isBlack(sampled.samples[2]),
      30_000,
    );
    await shareScreen(presenter.page, '#ff0000');
    // Presentation: the screen fills the frame, the presenter's camera is bottom-right.
    await waitFor(
      () => samplePlayedVideo(viewer.page, points),
      (sampled) =>
        sampled !== null &&
        isRed(sampled.samples[0]) &&
        isRed(sampled.samples[1]) &&
        isRed(sampled.samples[2]) &&
        isCamera(sampled.samples[3]),
      20_000,
    );
  });
});
