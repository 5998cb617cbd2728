/**
 * A loopback TCP relay in front of an HTTP port, which a test can cut: every open connection is
 * reset, and until restored each new request gets `503 Service Unavailable` (what a reverse proxy
 * answers while the host behind it restarts). Between a browser and the host it is a network that
 * drops, which the browser's own offline switch is not (it leaves open connections, such as an
 * EventSource, running); and the 503 is what makes a browser's EventSource give up rather than
 * retry by itself.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface Relay {
  readonly url: string;
  /** reset every connection; answer new ones 503 */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startRelay(targetPort: number, host = '127.0.0.1'): Promise<Relay> {
  const sockets = new Set<Socket>();
  let down = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };
  const server = createServer((client) => {
    track(client);
    if (down) {
      client.once('data', () => client.end('HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\nunavailable'));
      return;
    }
    const upstream = connect(targetPort, host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, resolve); });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    cut() {
      down = true;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() { down = false; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
