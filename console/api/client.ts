import { ApiProblem, problemOf } from './problem';

/** Gives a current access token; never shown, never stored outside the sign-in library's cache. */
export type TokenSource = () => Promise<string>;

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** Sends a file as it is (e.g. a CSV), streamed by the browser. */
  upload<T>(method: string, path: string, file: Blob, contentType: string): Promise<T>;
  /** A file the API answers with (e.g. a CSV), saved by the browser under the name the API gives. */
  download(path: string): Promise<void>;
}

/** Calls /api with the signed-in user's bearer token; a problem answer becomes an ApiProblem. */
export function createApi(token: TokenSource, onUnauthorized: () => void): Api {
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const raw = body instanceof Blob;
    const response = await fetch(`/api${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${await token()}`,
        ...(body === undefined || raw ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    if (response.status === 401) onUnauthorized();
    if (!response.ok) throw await problemOf(response);
    return response;
  }
  const parse = async <T>(response: Response): Promise<T> =>
    (response.status === 204 ? undefined : await response.json()) as T;

  return {
    get: async (path) => parse(await call('GET', path)),
    send: async (method, path, body, headers) => parse(await call(method, path, body, headers)),
    upload: async (method, path, file, contentType) =>
      parse(await call(method, path, file, { 'Content-Type': contentType })),
    async download(path) {
      const response = await call('GET', path);
      const disposition = response.headers.get('content-disposition') ?? '';
      const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download.csv';
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement('a'), { href: url, download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  };
}

export { ApiProblem };
