// Declarations for the `sip` npm package (kirm/sip.js 0.0.6), which ships none (there is no @types/sip):
// what the gateway uses.
declare module 'sip' {
  export interface Uri {
    schema: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
    headers: Record<string, string>;
  }
  export interface NameAddr {
    name?: string;
    uri: string | Uri;
    params?: Record<string, string | null>;
  }
  export interface Via {
    version?: string;
    protocol?: string;
    host?: string;
    port?: number;
    params: Record<string, string | null>;
  }
  export interface CSeq {
    seq: number;
    method: string;
  }
  export interface Headers {
    via?: Via[];
    to?: NameAddr;
    from?: NameAddr;
    'call-id'?: string;
    cseq?: CSeq | string;
    contact?: NameAddr[] | '*';
    route?: NameAddr[];
    'record-route'?: NameAddr[];
    'content-type'?: string;
    'content-length'?: number;
    'www-authenticate'?: Record<string, string>[];
    'proxy-authenticate'?: Record<string, string>[];
    authorization?: Record<string, string>[];
    'proxy-authorization'?: Record<string, string>[];
    'refer-to'?: NameAddr;
    [name: string]: unknown;
  }
  export interface Request {
    method: string;
    uri: string | Uri;
    version?: string;
    headers: Headers;
    content?: string;
  }
  export interface Response {
    status: number;
    reason: string;
    version?: string;
    headers: Headers;
    content?: string;
  }
  export type Message = Request | Response;
  export interface Remote {
    protocol: string;
    address: string;
    port: number;
    local?: { address: string; port: number };
  }
  export interface StackOptions {
    address?: string;
    port?: number;
    publicAddress?: string;
    hostname?: string;
    udp?: boolean;
    tcp?: boolean;
    tls?: import('tls').TlsOptions & import('tls').ConnectionOptions;
    tls_port?: number;
    ws_port?: number;
    rport?: boolean;
    maxBytesHeaders?: number;
    maxContentLength?: number;
    logger?: {
      send?(m: Message, target: Remote): void;
      recv?(m: Message, remote: Remote): void;
      error?(e: unknown): void;
    };
    /** Only with the project's patch (patches/sip+0.0.6.patch). */ onTransportError?(
      e: NodeJS.ErrnoException,
    ): void;
  }
  export interface Stack {
    /** requests: callback gets every response (1xx..6xx) of the client transaction; responses: sent via the server transaction */
    send(m: Message, callback?: (rs: Response) => void): void;
    destroy(): void;
    hostname(): string;
    encodeFlowUri(flow: Remote): Uri;
    decodeFlowUri(uri: string | Uri): Remote | undefined;
  }
  export function create(options: StackOptions, onRequest: (rq: Request, remote: Remote) => void): Stack;
  export function start(options: StackOptions, onRequest: (rq: Request, remote: Remote) => void): void;
  export function makeResponse(
    rq: Request,
    status: number,
    reason?: string,
    extension?: { headers?: Headers; content?: string },
  ): Response;
  export function parseUri(s: string | Uri): Uri;
  export function stringifyUri(u: string | Uri): string;
  export function parse(data: string | Buffer): Message | undefined;
  export function stringify(m: Message): string;
  export function copyMessage<T extends Message>(m: T, deep?: boolean): T;
  export function generateBranch(): string;
}
declare module 'sip/digest' {
  import type { Request, Response } from 'sip';
  export interface ClientContext {
    [k: string]: unknown;
  }
  export function signRequest(
    ctx: ClientContext,
    rq: Request,
    rs?: Response,
    creds?: { user: string; password?: string; hash?: string; realm?: string },
  ): ClientContext | null;
  export function challenge(
    ctx: { realm: string; qop?: string; [k: string]: unknown },
    rs: Response,
  ): Response;
  export function authenticateRequest(
    ctx: ClientContext,
    rq: Request,
    creds: { user?: string; password?: string; hash?: string },
  ): boolean;
  export function calculateHA1(ctx: Record<string, unknown>): string;
}
