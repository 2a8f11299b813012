import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Address ranges no outbound connection of the platform may reach unless an operator allows them:
 * this machine, its private networks, link-local (cloud metadata services), CGNAT, multicast,
 * broadcast, unspecified, and the ranges reserved for documentation, benchmarks and the future.
 */
const REFUSED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", and 0.0.0.0 itself
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local: 169.254.169.254 is the cloud metadata service
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255
];
const REFUSED_V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

const refused = new BlockList();
for (const [network, prefix] of REFUSED_V4) refused.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of REFUSED_V6) refused.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address an IPv6 one carries: v4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`), v4-compatible. */
export function embeddedIPv4(address: string): string | null {
  if (!isIPv6(address)) return null;
  const words = expandIPv6(address);
  const prefix = words
    .slice(0, 6)
    .map((word) => word.toString(16))
    .join(':');
  const carries =
    prefix === '0:0:0:0:0:ffff' ||
    prefix === '64:ff9b:0:0:0:0' ||
    (prefix === '0:0:0:0:0:0' && words[6] !== 0);
  if (!carries) return null;
  return [words[6] >> 8, words[6] & 0xff, words[7] >> 8, words[7] & 0xff].join('.');
}

function expandIPv6(address: string): number[] {
  let text = address.toLowerCase();
  // A dotted IPv4 tail (::ffff:127.0.0.1) becomes two words.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((w) => parseInt(w, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined
    ? left
    : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

/** Whether an IP address is one the platform must not connect to without an operator's say-so. */
export function isRefusedAddress(address: string): boolean {
  const v4 = isIPv4(address) ? address : embeddedIPv4(address);
  if (v4) return refused.check(v4, 'ipv4');
  return !isIPv6(address) || refused.check(address, 'ipv6');
}
