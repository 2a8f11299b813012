// The Node side of our mediasoup changes (the worker side is worker.patch). npm ci restores the
// package, so setup runs this every time; it is idempotent and fails loudly if mediasoup changed.
//
// 1. Routers advertise the header extension ids our worker writes (extension-ids.json), so that
//    libwebrtc subscribers, which number them the same way, need no renumbering.
// 2. Consumers are numbered as their remote numbers codecs and header extensions: Mind clients make
//    the offer, so a subscriber decodes the payload types and reads the extension ids it offered
//    itself (Firefox numbers them differently from Chromium). mediasoup's own rule keeps the Router's
//    payload types and drops every extension whose id differs. The worker renumbers each packet for
//    such a consumer (worker.patch).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const lib = dirname(require.resolve('mediasoup', { paths: [`${here}../..`] }));

function patch(file, change) {
  const path = join(lib, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after !== before) writeFileSync(path, after);
}

const ids = JSON.parse(readFileSync(`${here}extension-ids.json`, 'utf8'));
patch('supportedRtpCapabilities.js', (source) => {
  for (const [name, entry] of Object.entries(ids)) {
    if (name.startsWith('_')) continue;
    const escaped = entry.uri.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const pattern = new RegExp(`(uri: '${escaped}',\\s*preferredId: )\\d+`, 'g');
    if (!pattern.test(source)) throw new Error(`${entry.uri} not found in supportedRtpCapabilities.js`);
    source = source.replace(pattern, `$1${entry.id}`);
  }
  return source;
});

const MARK = '// Mind platform: consumers numbered as their remote.';
const REMOTE_NUMBERING = `
${MARK}
function getConsumerRtpParameters(options) {
    if (options.pipe) {
        return routerNumberedConsumerRtpParameters(options);
    }
    const { consumableRtpParameters, remoteRtpCapabilities } = options;
    const remoteIds = new Map(remoteRtpCapabilities.headerExtensions.map((ext) => [ext.uri, ext.preferredId]));
    const routerIds = new Map(consumableRtpParameters.headerExtensions.map((ext) => [ext.uri, ext.id]));
    // mediasoup keeps an extension only when the ids agree: match by URI instead.
    const params = routerNumberedConsumerRtpParameters({
        ...options,
        remoteRtpCapabilities: {
            ...remoteRtpCapabilities,
            headerExtensions: remoteRtpCapabilities.headerExtensions.map((ext) => routerIds.has(ext.uri) ? { ...ext, preferredId: routerIds.get(ext.uri) } : ext),
        },
    });
    params.headerExtensions = params.headerExtensions.map((ext) => ({ ...ext, id: remoteIds.get(ext.uri) }));
    const remotePayloadTypes = new Map();
    for (const codec of params.codecs.filter((c) => !isRtxCodec(c))) {
        const capCodec = remoteRtpCapabilities.codecs.find((c) => matchCodecs(c, codec, { strict: true }));
        remotePayloadTypes.set(codec.payloadType, capCodec.preferredPayloadType);
    }
    params.codecs = params.codecs.flatMap((codec) => {
        if (!isRtxCodec(codec)) {
            return [{ ...codec, payloadType: remotePayloadTypes.get(codec.payloadType) }];
        }
        const apt = remotePayloadTypes.get(codec.parameters.apt);
        const rtx = remoteRtpCapabilities.codecs.find((c) => isRtxCodec(c) && c.parameters?.apt === apt);
        return rtx ? [{ ...codec, payloadType: rtx.preferredPayloadType, parameters: { apt } }] : [];
    });
    if (!params.codecs.some(isRtxCodec)) {
        for (const encoding of params.encodings) {
            delete encoding.rtx;
        }
    }
    return params;
}
`;
patch('ortc.js', (source) => {
  if (source.includes(MARK)) return source;
  const stock = 'function getConsumerRtpParameters({';
  if (!source.includes(stock)) throw new Error('getConsumerRtpParameters not found in ortc.js');
  return source.replace(stock, 'function routerNumberedConsumerRtpParameters({') + REMOTE_NUMBERING;
});
