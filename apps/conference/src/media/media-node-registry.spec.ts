import pino from 'pino';
import { loadConfig } from '@mind/config';
import type { MediaNodeHeartbeat } from '@mind/contracts';
import type { ProtocolBus } from '@mind/messaging';
import { MediaNodeRegistry } from './media-node-registry';

/** A registry fed by heartbeats the test sends, as the bus would deliver them. */
function registryHearing() {
  let deliver: (beat: MediaNodeHeartbeat) => void = () => undefined;
  const bus = {
    listen: (_event: unknown, onEvent: (beat: MediaNodeHeartbeat) => void) => {
      deliver = onEvent;
      return { unsubscribe: () => undefined };
    },
  } as unknown as ProtocolBus;
  const registry = new MediaNodeRegistry(bus, loadConfig({}), pino({ level: 'silent' }));
  registry.onApplicationBootstrap();
  const beat = (nodeId: string, sessions = 0, conferences = 0, incarnation = `${nodeId}-1`) =>
    deliver({ nodeId, incarnation, load: { sessions, conferences, workers: 1 }, at: Date.now() });
  return { registry, beat };
}

/** Two nodes, `a` and `b`, with nothing on them. */
function twoIdleNodes() {
  const hearing = registryHearing();
  hearing.beat('a');
  hearing.beat('b');
  return hearing;
}

let conferences = 0;

/** Places `count` new conferences: how many went to each node (and, in `on`, which went where). */
const placements = (registry: MediaNodeRegistry, count: number, on = new Map<string, string[]>()) => {
  const placed = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const conferenceId = `c${++conferences}`;
    const node = registry.select(conferenceId)!.nodeId;
    placed.set(node, (placed.get(node) ?? 0) + 1);
    on.set(node, [...(on.get(node) ?? []), conferenceId]);
  }
  return placed;
};

describe('media node placement', () => {
  afterEach(() => jest.useRealTimers());

  it('spreads a burst between two heartbeats evenly over idle nodes', () => {
    const { registry } = twoIdleNodes();
    expect(placements(registry, 20)).toEqual(
      new Map([
        ['a', 10],
        ['b', 10],
      ]),
    );
  });

  it('fills the idler node first, then spreads', () => {
    const { registry, beat } = registryHearing();
    beat('a', 4, 1);
    beat('b');
    const placed = placements(registry, 6);
    expect(placed.get('b')).toBe(5);
    expect(placed.get('a')).toBe(1);
  });

  it("stops counting a placement once a heartbeat heard after the node answered its offer shows the node's own load", () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { registry, beat } = twoIdleNodes();
    const on = new Map<string, string[]>();
    placements(registry, 4, on); // 2 each
    for (const [node, ids] of on) for (const id of ids) registry.answered(node, id);
    jest.advanceTimersByTime(1500);
    beat('a', 1, 2); // a counts its own (one participant left); b's heartbeat has not come yet
    expect(placements(registry, 1)).toEqual(new Map([['a', 1]]));
  });

  it('a heartbeat in the middle of a burst drops only the placements it shows', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { registry, beat } = twoIdleNodes();
    const on = new Map<string, string[]>();
    placements(registry, 10, on); // 5 each
    // a answered three of its offers and sent a heartbeat counting them; the other offers are on their way.
    for (const id of on.get('a')!.slice(0, 3)) registry.answered('a', id);
    jest.advanceTimersByTime(5);
    beat('a', 3, 3);
    expect(placements(registry, 10)).toEqual(
      new Map([
        ['a', 5],
        ['b', 5],
      ]),
    );
    // Unanswered placements stop counting after a while (the offer failed).
    jest.advanceTimersByTime(10_000);
    beat('a', 3, 3);
    beat('b');
    expect(placements(registry, 2)).toEqual(new Map([['b', 2]]));
  });

  it('a placement another instance won is not counted', () => {
    const { registry } = twoIdleNodes();
    const first = registry.select('won-elsewhere')!.nodeId;
    registry.unselect(first, 'won-elsewhere');
    expect(registry.select('next')!.nodeId).toBe(first);
  });

  it('a node NATS finds unreachable is gone at once, its sessions handed to the gone listeners', () => {
    const { registry, beat } = registryHearing();
    const gone: string[] = [];
    registry.onNodeGone((nodeId, incarnation) => gone.push(`${nodeId}/${incarnation}`));
    beat('a');
    beat('b');
    registry.unreachable('a');
    expect(gone).toEqual(['a/a-1']);
    expect(registry.isAlive('a')).toBe(false);
    expect(placements(registry, 3)).toEqual(new Map([['b', 3]]));
    beat('a'); // it was alive after all: its next heartbeat brings it back
    expect(registry.isAlive('a')).toBe(true);
  });
});
