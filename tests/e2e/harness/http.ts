export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, with `contentType` (default JSON); for malformed-input tests. */
  rawBody?: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** One HTTP call to the platform, the way a client of the API makes it. */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  const contentType =
    options.contentType === undefined ? 'application/json; charset=UTF-8' : options.contentType;
  if (contentType !== null && (body !== undefined || method === 'GET')) headers['content-type'] = contentType;
  const response = await fetch(baseUrl + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

/** A small client bound to one platform and one token. */
export function client(baseUrl: string, token?: string) {
  const withToken = (options: RequestOptions = {}) => ({ token, ...options });
  return {
    get: <T = any>(path: string, options?: RequestOptions) =>
      call<T>(baseUrl, 'GET', path, withToken(options)),
    post: <T = any>(path: string, body?: unknown, options?: RequestOptions) =>
      call<T>(baseUrl, 'POST', path, withToken({ body, ...options })),
    patch: <T = any>(path: string, body?: unknown, options?: RequestOptions) =>
      call<T>(baseUrl, 'PATCH', path, withToken({ body, ...options })),
    delete: <T = any>(path: string, options?: RequestOptions) =>
      call<T>(baseUrl, 'DELETE', path, withToken(options)),
  };
}
