import { observer } from 'mediasoup';
import { meter, type UpDownCounter } from '@mind/telemetry';

/** Counts a mediasoup object until `onClose` tells it closed. */
function track(counter: UpDownCounter, onClose: (listener: () => void) => void, attributes = {}) {
  counter.add(1, attributes);
  onClose(() => counter.add(-1, attributes));
}

/**
 * The node's mediasoup objects as metrics, from mediasoup's own observer events, so that nothing
 * opened anywhere (sessions, the mixer's and recorder's plain transports) is missed: rooms (routers),
 * transports by type, producers and consumers by kind.
 */
export function observeMediasoup(): void {
  const m = meter();
  const routers = m.createUpDownCounter('mind.media.routers', {
    description: 'Conference rooms on this node',
  });
  const transports = m.createUpDownCounter('mind.media.transports', {
    description: 'Open transports, by type',
  });
  const producers = m.createUpDownCounter('mind.media.producers', { description: 'Open producers, by kind' });
  const consumers = m.createUpDownCounter('mind.media.consumers', { description: 'Open consumers, by kind' });
  // Every series exists from the start, at zero.
  routers.add(0);
  for (const type of ['webrtc', 'plain', 'direct', 'pipe']) transports.add(0, { type });
  for (const kind of ['audio', 'video']) {
    producers.add(0, { kind });
    consumers.add(0, { kind });
  }
  observer.on('newworker', (worker) => {
    worker.observer.on('newrouter', (router) => {
      track(routers, (closed) => router.observer.once('close', closed));
      router.observer.on('newtransport', (transport) => {
        track(transports, (closed) => transport.observer.once('close', closed), { type: transport.type });
        transport.observer.on('newproducer', (producer) =>
          track(producers, (closed) => producer.observer.once('close', closed), { kind: producer.kind }),
        );
        transport.observer.on('newconsumer', (consumer) =>
          track(consumers, (closed) => consumer.observer.once('close', closed), { kind: consumer.kind }),
        );
      });
    });
  });
}

/** The node's load as it announces it: conferences hosted and WebRTC sessions open. */
export function observeLoad(load: () => { conferences: number; sessions: number }): void {
  const m = meter();
  m.createObservableGauge('mind.media.conferences', {
    description: 'Conferences hosted by this node',
  }).addCallback((result) => result.observe(load().conferences));
  m.createObservableGauge('mind.media.sessions', {
    description: 'Participant sessions open on this node',
  }).addCallback((result) => result.observe(load().sessions));
}
