import { isIP } from 'node:net';

/** A SIP address as callers write it: `sip:jane@example.com:5060`, or with a display name. */
export interface SipAddress {
  displayName?: string;
  scheme: 'sip' | 'sips';
  user?: string;
  /** A name, an IPv4 address, or an IPv6 address without brackets. */
  host: string;
  port?: number;
  /** The URI alone, as it goes into a request line or a header. */
  uri: string;
}

export type SipAddressParse = { ok: true; address: SipAddress } | { ok: false; error: string };

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;
const NAME_ADDR = /^(?:"((?:[^"\\]|\\.)*)"|([^"<>]*?))\s*<([^<>]*)>$/;
const URI =
  /^(sips?):(?:([^@\s<>"?]+)@)?(\[[0-9a-fA-F:.]+\]|[^:;?@\s<>"[\]]+)(?::(\d{1,5}))?((?:;[^;?\s<>"]*)*)$/;
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Reads a SIP name-addr or addr-spec (RFC 3261 §20.10, §19.1) strictly enough that nothing a caller
 * writes can become another header line or parameter of the requests the platform sends: no control
 * characters (CR, LF), no URI headers (`?Subject=...`), a host that is a name or an address.
 */
export function parseSipAddress(value: string): SipAddressParse {
  const refuse = (error: string): SipAddressParse => ({ ok: false, error });
  if (CONTROL.test(value)) return refuse('must not contain control characters (CR, LF, ...)');
  const text = value.trim();
  let displayName: string | undefined;
  let uri = text;
  const nameAddr = NAME_ADDR.exec(text);
  if (nameAddr) {
    displayName = nameAddr[1]?.replace(/\\(.)/g, '$1') ?? nameAddr[2].trim();
    uri = nameAddr[3].trim();
  } else if (/[<>"]/.test(text)) {
    return refuse('is not a SIP address: write `sip:user@host` or `Name <sip:user@host>`');
  }
  if (uri.includes('?')) return refuse('must not carry URI headers (`?...`)');
  const match = URI.exec(uri);
  if (!match) return refuse('is not a SIP URI: write `sip:user@host[:port]` or `sips:...`');
  const [, scheme, user, rawHost, rawPort] = match;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (rawHost.startsWith('[') ? isIP(host) !== 6 : isIP(host) === 0 && !HOST_NAME.test(host)) {
    return refuse(`has an invalid host ${rawHost}`);
  }
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && (port < 1 || port > 65535)) return refuse(`has an invalid port ${rawPort}`);
  return {
    ok: true,
    address: {
      ...(displayName ? { displayName } : {}),
      scheme: scheme as SipAddress['scheme'],
      ...(user ? { user } : {}),
      host,
      ...(port ? { port } : {}),
      uri,
    },
  };
}

/** The address the platform connects to for a SIP address, as a URL the outbound rules can check. */
export function sipConnectUrl(address: SipAddress): string {
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `${address.scheme}://${host}${address.port ? `:${address.port}` : ''}`;
}
