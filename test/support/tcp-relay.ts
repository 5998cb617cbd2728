/**
 * A loopback TCP relay in front of a port, which a test can cut: every open connection is reset and
 * new ones are refused (reset at once) until restored. Between a browser and the host it is a
 * network that drops, which the browser's own offline switch is not (it leaves open connections,
 * such as an EventSource, running).
 */
import { connect, createServer, type Socket } from 'node:net';

export interface Relay {
  readonly url: string;
  /** reset every connection and refuse new ones */
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
    if (down) { client.resetAndDestroy(); return; }
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
