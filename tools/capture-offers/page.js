// Builds Mind-client style SDP offers in the browser that loads page.html.
//
// Used by capture.mjs for both browsers:
// - Chromium (driven by playwright-core) calls `window.captureOffers(names)` through page.evaluate.
// - Firefox (started as a plain process) loads `page.html?autorun=1&browser=firefox&scenarios=a,b`,
//   and the page POSTs its results to `/results` on the capture server.
//
// Each offer is made the way the Mind web SDK makes it (see shared/docs/participant-protocol.md):
// one RTCPeerConnection, a negotiated data channel (id 1, label "") in the first offer, then a fixed
// m-line layout; after createOffer the SDP is munged (msid stream id := label per mid, b=TIAS and
// a=x-preferences on receiving video lines) and the munged string is passed to setLocalDescription.
// That munged string is the captured fixture. The server side is faked by `fakeAnswer` below.

const P1 = '2f8e7a4c-1111-4a2b-9c3d-000000000001';
const P2 = '2f8e7a4c-1111-4a2b-9c3d-000000000002';
const P3 = '2f8e7a4c-1111-4a2b-9c3d-000000000003';

const CAMERA_ENCODINGS = () => [
  { rid: 'l', scaleResolutionDownBy: 4 },
  { rid: 'm', scaleResolutionDownBy: 2 },
  { rid: 'h', active: false },
];

// ---------------------------------------------------------------------------------------------
// SDP helpers (CRLF preserved: the browser's line endings are kept byte for byte).

function splitSections(sdp) {
  const lines = sdp.split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const session = [];
  const media = [];
  for (const line of lines) {
    if (line.startsWith('m=')) media.push([line]);
    else if (media.length) media[media.length - 1].push(line);
    else session.push(line);
  }
  return { session, media };
}

function joinSections({ session, media }) {
  return [...session, ...media.flat()].join('\r\n') + '\r\n';
}

function midOf(section) {
  const line = section.find((l) => l.startsWith('a=mid:'));
  return line ? line.slice('a=mid:'.length) : null;
}

const DIRECTION_RE = /^a=(sendrecv|sendonly|recvonly|inactive)$/;

/**
 * The SDK's munging. Host candidates (`a=candidate:... typ host`, present in offers made after the
 * first ICE gathering) are removed; the m= port and c= address the browser derived from them stay. `labels` lists, in m-line order, one { kind, label, trackId, tias?, preferences? }
 * per audio/video m-line (transceivers get their `mid` property only at setLocalDescription, so the
 * SDK matches m-lines to transceivers by position, which is creation order).
 * - `a=msid:<stream> <track>` becomes `a=msid:<label> <track>`; when the browser wrote no msid
 *   line the SDK adds one (after the direction attribute, where Chromium puts its own).
 * - `a=ssrc:<n> msid:<stream> <track>` gets the same label.
 * - `b=TIAS:<bps>` is inserted after the media-level c= line, `a=x-preferences:<area>@<rate>`
 *   after the msid line.
 */
function munge(sdp, labels) {
  const parsed = splitSections(sdp);
  let next = 0;
  parsed.media = parsed.media.map((section) => {
    // The SDK strips its host candidates (the platform learns the address from connectivity checks).
    section = section.filter((l) => !/^a=candidate:.* typ host( |$)/.test(l));
    if (!section.some((l) => l.startsWith('a=candidate:')))
      section = section.filter((l) => l !== 'a=end-of-candidates');
    const kind = section[0].slice(2).split(' ')[0];
    if (kind === 'application') return section;
    const spec = labels[next++];
    if (!spec) return section;
    if (spec.kind !== kind)
      throw new Error(`m-line ${midOf(section)} is ${kind}, transceiver is ${spec.kind}`);
    let out = [];
    let hasMsid = false;
    for (const line of section) {
      let m;
      if ((m = /^a=msid:(\S+)(?: (\S+))?$/.exec(line))) {
        hasMsid = true;
        out.push(`a=msid:${spec.label} ${m[2] ?? spec.trackId}`);
      } else if ((m = /^a=ssrc:(\d+) msid:(\S+)(?: (\S+))?$/.exec(line))) {
        out.push(`a=ssrc:${m[1]} msid:${spec.label}${m[3] ? ' ' + m[3] : ''}`);
      } else {
        out.push(line);
      }
    }
    if (!hasMsid) {
      const at = out.findIndex((l) => DIRECTION_RE.test(l));
      out.splice(at >= 0 ? at + 1 : out.length, 0, `a=msid:${spec.label} ${spec.trackId}`);
    }
    if (spec.tias !== undefined) {
      const at = out.findIndex((l) => l.startsWith('c='));
      out.splice(at >= 0 ? at + 1 : 1, 0, `b=TIAS:${spec.tias}`);
    }
    if (spec.preferences) {
      const at = out.findIndex((l) => l.startsWith('a=msid:'));
      out.splice(at + 1, 0, `a=x-preferences:${spec.preferences}`);
    }
    return out;
  });
  return joinSections(parsed);
}

/**
 * A minimal answer made by hand, standing in for the platform: it mirrors the offer (same m-lines,
 * mids and codecs), reverses directions, echoes simulcast as `a=rid:<x> recv` + `a=simulcast:recv`,
 * and has a fixed fake ICE ufrag/pwd, a fake sha-256 fingerprint, `a=setup:active`, `a=ice-lite` and
 * no candidates. It only exists to move the signalling state machine to `stable`; no media flows.
 */
function fakeAnswer(offer) {
  const { session, media } = splitSections(offer);
  const mids = media.map(midOf);
  const fingerprint = Array.from({ length: 32 }, (_, i) =>
    ((i * 37 + 11) & 0xff).toString(16).padStart(2, '0'),
  )
    .join(':')
    .toUpperCase();
  const out = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mids.join(' ')}`,
    'a=msid-semantic: WMS *',
  ];
  void session;
  media.forEach((section, index) => {
    const [kind, , proto, ...fmts] = section[0].slice(2).split(' ');
    out.push(`m=${kind} 9 ${proto} ${fmts.join(' ')}`);
    out.push('c=IN IP4 127.0.0.1');
    out.push(`a=mid:${mids[index]}`);
    out.push('a=ice-ufrag:fakeufrag');
    out.push('a=ice-pwd:fakepwdfakepwdfakepwd0');
    out.push('a=ice-options:renomination');
    out.push(`a=fingerprint:sha-256 ${fingerprint}`);
    out.push('a=setup:active');
    if (kind === 'application') {
      out.push('a=sctp-port:5000');
      out.push('a=max-message-size:262144');
      return;
    }
    const direction = (section.find((l) => DIRECTION_RE.test(l)) ?? 'a=sendrecv').slice(2);
    const reversed = {
      sendonly: 'recvonly',
      recvonly: 'sendonly',
      sendrecv: 'sendrecv',
      inactive: 'inactive',
    }[direction];
    out.push(`a=${reversed}`);
    out.push('a=rtcp-mux');
    for (const line of section) {
      if (line.startsWith('a=extmap:')) out.push(line.replace(/^a=extmap:(\d+)\/\w+/, 'a=extmap:$1'));
      else if (/^a=(rtpmap|fmtp|rtcp-fb):/.test(line)) out.push(line);
      else if (line === 'a=rtcp-rsize') out.push(line);
    }
    const rids = section.filter((l) => /^a=rid:\S+ send/.test(l)).map((l) => l.split(' ')[0].slice(6));
    if (rids.length && direction === 'sendonly') {
      for (const rid of rids) out.push(`a=rid:${rid} recv`);
      out.push(`a=simulcast:recv ${rids.join(';')}`);
    }
    if (reversed === 'sendonly') {
      const ssrc = 1000000 + index;
      out.push(`a=msid:fake-stream-${mids[index]} fake-track-${mids[index]}`);
      out.push(`a=ssrc:${ssrc} cname:fakecname`);
    }
  });
  return out.join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Media

let baseStream = null;

async function camMic() {
  if (!baseStream) baseStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  // A fresh clone per PeerConnection so each fixture has its own track ids, as a new session would.
  return {
    audio: baseStream.getAudioTracks()[0].clone(),
    video: baseStream.getVideoTracks()[0].clone(),
  };
}

function screenTrack() {
  // Stand-in for getDisplayMedia(): a canvas track (headless browsers have no screen to capture).
  const canvas = document.createElement('canvas');
  canvas.width = 1280;
  canvas.height = 720;
  const ctx = canvas.getContext('2d');
  let n = 0;
  const draw = () => {
    ctx.fillStyle = n++ % 2 ? '#204080' : '#802040';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  draw();
  const timer = setInterval(draw, 200);
  const track = canvas.captureStream(5).getVideoTracks()[0];
  track.addEventListener('ended', () => clearInterval(timer));
  return track;
}

// ---------------------------------------------------------------------------------------------
// The Mind client session model.

class Session {
  constructor() {
    this.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.channel = this.pc.createDataChannel('', { negotiated: true, id: 1, ordered: true });
    /** transceiver -> { label, tias?, preferences? } */
    this.roles = new Map();
    this.tracks = [];
  }

  /** First offer of a session: only the data channel. */
  async firstOffer() {
    return this.negotiate();
  }

  /** The fixed send layout: mids 1..4. `media` = { audio?, video?, screenAudio?, screen? } tracks. */
  addSendLayout(media) {
    const add = (kind, track, label, sendEncodings) => {
      const init = { direction: track ? 'sendonly' : 'inactive' };
      if (sendEncodings) init.sendEncodings = sendEncodings;
      const t = this.pc.addTransceiver(track ?? kind, init);
      this.roles.set(t, { label: track ? label : '-' });
      if (track) this.tracks.push(track);
      return t;
    };
    this.mic = add('audio', media.audio, 'me#primary');
    this.camera = add('video', media.video, 'me#primary', media.video ? CAMERA_ENCODINGS() : undefined);
    this.screenAudio = add('audio', media.screenAudio, 'me#secondary');
    this.screen = add('video', media.screen, 'me#secondary');
  }

  /** A subscription line (mid 5+). */
  subscribe(kind, label, hints = {}) {
    const t = this.pc.addTransceiver(kind, { direction: 'recvonly' });
    this.roles.set(t, { label, ...hints });
    return t;
  }

  release(transceiver) {
    transceiver.direction = 'inactive';
    this.roles.set(transceiver, { label: '-' });
  }

  reuse(transceiver, label, hints = {}) {
    transceiver.direction = 'recvonly';
    this.roles.set(transceiver, { label, ...hints });
  }

  labels() {
    return this.pc.getTransceivers().map((t) => ({
      kind: t.receiver.track.kind,
      ...this.roles.get(t),
      // The msid track id for a line without a sending track: the receiver's track id.
      trackId: t.sender.track?.id ?? t.receiver.track.id,
    }));
  }

  /** createOffer, munge, setLocalDescription(munged), fake answer. Returns the raw and munged offer. */
  async negotiate() {
    const offer = await this.pc.createOffer();
    const munged = munge(offer.sdp, this.labels());
    await this.pc.setLocalDescription({ type: 'offer', sdp: munged });
    // The SDK renegotiates only once the data channel is open, long after ICE gathering ended: wait
    // for it so later offers reflect a gathered transport (and captures are reproducible).
    await gatheringComplete(this.pc);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: fakeAnswer(munged) });
    return { raw: offer.sdp, sdp: munged };
  }

  close() {
    for (const track of this.tracks) track.stop();
    this.pc.close();
  }
}

function gatheringComplete(pc, timeoutMs = 10000) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    }, timeoutMs);
    pc.addEventListener('icegatheringstatechange', done);
  });
}

// A session whose first offer/answer is done and whose send layout + subscriptions are added.
async function joined(media, subscriptions) {
  const s = new Session();
  await s.firstOffer();
  s.addSendLayout(media);
  s.subs = subscriptions.map(([kind, label, hints]) => s.subscribe(kind, label, hints));
  return s;
}

const FULL_SUBSCRIPTIONS = [
  ['audio', `${P1}#primary`],
  ['video', `${P1}#primary`, { tias: 500000, preferences: '230400@15' }],
];

const scenarios = {
  async 'datachannel-only'() {
    const s = new Session();
    const offer = await s.firstOffer();
    s.close();
    return { 'datachannel-only': offer };
  },

  async 'full-camera-mic'() {
    const s = await joined(await camMic(), FULL_SUBSCRIPTIONS);
    const offer = await s.negotiate();
    s.close();
    return { 'full-camera-mic': offer };
  },

  async 'screen-share'() {
    const s = await joined({ ...(await camMic()), screen: screenTrack() }, []);
    const offer = await s.negotiate();
    s.close();
    return { 'screen-share': offer };
  },

  async 'four-inactive'() {
    const s = await joined({}, [
      ['audio', 'conference'],
      ['video', 'conference'],
      ['video', `${P2}#secondary`],
    ]);
    const offer = await s.negotiate();
    s.close();
    return { 'four-inactive': offer };
  },

  async renegotiation() {
    const s = await joined(await camMic(), FULL_SUBSCRIPTIONS);
    const full = await s.negotiate();
    const video = s.subs[1];
    s.release(video);
    const released = await s.negotiate();
    s.reuse(video, `${P3}#primary`, { tias: 300000, preferences: '76800@30' });
    const reused = await s.negotiate();
    s.close();
    return {
      'renegotiation-0-full': full,
      'renegotiation-1-released': released,
      'renegotiation-2-reused': reused,
    };
  },

  async 'new-ice-credentials'() {
    // Recovery: a fresh PeerConnection (new ICE ufrag/pwd and DTLS certificate) whose full offer
    // carries the state the client had reached (the layout of renegotiation-2-reused).
    const s = await joined(await camMic(), [
      ['audio', `${P1}#primary`],
      ['video', `${P3}#primary`, { tias: 300000, preferences: '76800@30' }],
    ]);
    const offer = await s.negotiate();
    s.close();
    return { 'new-ice-credentials': offer };
  },
};

async function captureOffers(names = Object.keys(scenarios)) {
  const results = {};
  const errors = {};
  for (const name of names) {
    try {
      Object.assign(results, await scenarios[name]());
    } catch (e) {
      errors[name] = `${e && e.name}: ${e && e.message}`;
    }
  }
  return { userAgent: navigator.userAgent, results, errors };
}

window.captureOffers = captureOffers;

(async () => {
  const params = new URLSearchParams(location.search);
  if (!params.get('autorun')) return;
  const names = params.get('scenarios') ? params.get('scenarios').split(',') : undefined;
  let body;
  try {
    body = await captureOffers(names);
  } catch (e) {
    body = { userAgent: navigator.userAgent, results: {}, errors: { page: String(e) } };
  }
  body.browser = params.get('browser') || 'unknown';
  await fetch('/results', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  document.body.textContent = 'done';
})();
