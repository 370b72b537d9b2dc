import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ScriptedReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** An HTTP server answering from a script, recording every request: for exact client behaviour. */
export async function startScriptedServer() {
  const requests: RecordedRequest[] = [];
  let script: ScriptedReply[] = [];
  let fallback: ScriptedReply = { status: 200, body: '{}' };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = script.shift() ?? fallback;
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(...replies: ScriptedReply[]) {
      script = replies;
      requests.length = 0;
    },
    always(reply: ScriptedReply) {
      script = [];
      fallback = reply;
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScriptedReply => ({
  status,
  body: JSON.stringify(body),
  headers,
});
