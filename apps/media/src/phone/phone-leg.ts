import type { types } from 'mediasoup';
import type { PhoneLegRequest } from '@mind/contracts';
import type { SessionHost } from '../peer-session';

/** What a phone leg needs of its room: what a session needs, without the video policy. */
export type PhoneLegHost = Pick<SessionHost, 'router' | 'publish' | 'conferenceProducer' | 'holdMixer'>;

/**
 * A phone line's media on this node (a SIP gateway holds the call): one PlainTransport to the gateway
 * that carries the phone's voice in, as the participant's primary audio (so it is mixed, recorded,
 * transcribed and subscribed to like any voice), and the conference's audio without that voice out.
 * The gateway transcodes; both directions are the router's Opus.
 */
export class PhoneLeg {
  private constructor(
    private readonly transport: types.PlainTransport,
    readonly hearing: types.Consumer,
  ) {}

  static async open(
    host: PhoneLegHost,
    request: PhoneLegRequest,
    voiceKey: string,
    listen: { ip: string; announcedAddress?: string },
  ): Promise<PhoneLeg> {
    const { router } = host;
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: listen.ip, announcedAddress: listen.announcedAddress },
      rtcpMux: true,
      comedia: false,
      appData: { participantId: request.participantId, phone: true },
    });
    try {
      await transport.connect({ ip: request.rtp.ip, port: request.rtp.port });
      const voice = await transport.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [
            {
              mimeType: 'audio/opus',
              payloadType: request.voice.payloadType,
              clockRate: 48000,
              channels: 2,
              parameters: { useinbandfec: 1 },
            },
          ],
          encodings: [{ ssrc: request.voice.ssrc }],
        },
        appData: { participantId: request.participantId },
      });
      host.publish(voiceKey, voice);
      const mix = await host.conferenceProducer('audio', request.participantId, router.rtpCapabilities);
      const hearing = await transport.consume({
        producerId: mix.id,
        rtpCapabilities: router.rtpCapabilities,
      });
      await host.holdMixer(hearing);
      return new PhoneLeg(transport, hearing);
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /** The node's end of the leg, where the gateway sends the voice. */
  get rtp(): { ip: string; port: number } {
    const { localAddress, localPort } = this.transport.tuple;
    return { ip: localAddress, port: localPort };
  }

  get hearingRtp(): { payloadType: number; ssrc: number } {
    return {
      payloadType: this.hearing.rtpParameters.codecs[0].payloadType,
      ssrc: this.hearing.rtpParameters.encodings?.[0]?.ssrc ?? 0,
    };
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  /** Closes the transport, and with it the voice and the hearing. */
  close(): void {
    this.transport.close();
  }
}
