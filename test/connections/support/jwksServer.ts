import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonServer {
  url: string;
  requests: () => number;
  stop(): Promise<void>;
}

/** Serves fixed JSON documents by path on 127.0.0.1 (a JWKS, a discovery document). */
export async function startJsonServer(
  documents: Record<string, () => Promise<unknown> | unknown>,
): Promise<JsonServer> {
  let count = 0;
  const server = http.createServer((request, response) => {
    count++;
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const document = documents[path];
    if (!document) {
      response.writeHead(404).end();
      return;
    }
    Promise.resolve(document())
      .then((body) =>
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body)),
      )
      .catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
