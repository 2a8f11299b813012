import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { embeddedIPv4, isRefusedAddress } from './address-ranges';

/** What an operator allows the platform to connect to (streaming destinations, later SIP peers). */
export interface OutboundRules {
  /**
   * Destinations allowed whatever their address (private networks, the tests' local sinks): networks
   * (`10.0.0.0/8`), addresses and host names.
   */
  allow: readonly string[];
  /** Ports allowed per scheme for every other destination, e.g. `{ rtmp: [1935] }`. */
  ports: Readonly<Record<string, readonly number[]>>;
}

/** A destination that passed the rules, pinned to the address that was checked. */
export interface OutboundTarget {
  scheme: string;
  /** The host as given (a name, or a literal address). */
  host: string;
  port: number;
  address: string;
  /**
   * The URL with `address` in place of the host: connecting there cannot reach what a later lookup
   * of the name might answer (DNS rebinding). TLS must still check the certificate against `host`.
   */
  pinnedUrl: string;
}

export type OutboundCheck = { ok: true; target: OutboundTarget } | { ok: false; error: string };

const DEFAULT_PORTS: Record<string, number> = { rtmp: 1935, rtmps: 443, sip: 5060, sips: 5061 };

/**
 * Decides whether the platform may connect to a URL a caller gave it, before it connects and each
 * time it connects again: the host is resolved as the connecting process would (numeric forms such
 * as `2130706433` or `0x7f000001` included), and every address it has must be public and on one of the
 * scheme's ports, unless the operator allows it.
 */
export class OutboundPolicy {
  private readonly allowedNetworks = new BlockList();
  private readonly allowedHosts = new Set<string>();

  constructor(private readonly rules: OutboundRules) {
    for (const entry of rules.allow) {
      const [network, prefix] = entry.split('/');
      const family = isIP(network);
      if (family === 0) this.allowedHosts.add(entry.toLowerCase());
      else if (prefix === undefined) this.allowedNetworks.addAddress(network, family === 4 ? 'ipv4' : 'ipv6');
      else this.allowedNetworks.addSubnet(network, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  async check(raw: string): Promise<OutboundCheck> {
    const refuse = (error: string): OutboundCheck => ({ ok: false, error });
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refuse('is not a valid URL (or its port is out of range)');
    }
    const scheme = url.protocol.slice(0, -1);
    const ports = this.rules.ports[scheme];
    if (!ports) return refuse(`scheme ${scheme} is not allowed`);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) return refuse('has no host');
    const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
    if (!port) return refuse('has no port');

    let addresses: { address: string; family: number }[];
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return refuse(`host ${host} cannot be resolved`);
    }
    if (addresses.length === 0) return refuse(`host ${host} cannot be resolved`);
    const hostAllowed = this.allowedHosts.has(host.toLowerCase());
    for (const { address } of addresses) {
      if (hostAllowed || this.allows(address)) continue;
      if (isRefusedAddress(address)) {
        return refuse(
          `${host} is a private, local or reserved address (${address}), which this platform does not connect to`,
        );
      }
      if (!ports.includes(port)) return refuse(`port ${port} is not allowed for ${scheme}`);
    }
    const address = addresses[0].address;
    const pinned = new URL(raw);
    pinned.hostname = isIP(address) === 6 ? `[${address}]` : address;
    pinned.port = String(port);
    return { ok: true, target: { scheme, host, port, address, pinnedUrl: pinned.toString() } };
  }

  private allows(address: string): boolean {
    const v4 = isIP(address) === 4 ? address : embeddedIPv4(address);
    return v4 ? this.allowedNetworks.check(v4, 'ipv4') : this.allowedNetworks.check(address, 'ipv6');
  }
}
