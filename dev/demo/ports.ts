import net from 'node:net';

/** True when nothing listens on 127.0.0.1:`port` (0 is always free: the OS picks a port). */
export function portIsFree(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `port` when it is free, otherwise 0 (a free one picked at start). */
export async function portOrFree(port: number): Promise<number> {
  return (await portIsFree(port)) ? port : 0;
}
