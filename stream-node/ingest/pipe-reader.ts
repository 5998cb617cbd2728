/**
 * Reads a child process's stdout into buffers the caller gives, instead of a new buffer per read.
 *
 * Node's streams allocate a fresh 64 KB buffer for every read of a pipe. ffmpeg hands over 1.5 MB a
 * frame, so a node reading 12-20 cameras makes 18-30 MB/s of short-lived external memory, and V8
 * answers with a full collection every ~0.7 s on the node's thread (bench:stream with --trace-gc,
 * 12 cameras: 28 mark-compacts in 20 s, 12 when reading this way). net.Socket's `onread` reads into
 * buffers of ours, even straight into a frame, but it is only offered when the socket is made: the
 * pipe's handle is moved from the socket child_process made to one of ours. `handle` is not a
 * documented option of net.Socket, so when the stream has no handle to move, nothing is taken and
 * the caller reads it the usual way.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';

/**
 * Takes over `stdout` (before it has been read): `next()` gives the buffer for each read, `got(n, buf)`
 * is told how many bytes went into it. False when the handle could not be taken.
 */
export function readPipeInto(stdout: Readable, next: () => Uint8Array, got: (n: number, buf: Uint8Array) => void): boolean {
  const handle = (stdout as Readable & { _handle?: unknown })._handle;
  if (!(stdout instanceof net.Socket) || !handle) return false;
  stdout.unpipe();
  stdout.pause();
  const ours = new net.Socket({ handle, readable: true, writable: false, onread: { buffer: next, callback: (n: number, buf: Uint8Array) => { got(n, buf); } } } as net.SocketConstructorOpts);
  ours.on('error', () => {}); // the process's exit is what reports a failure
  ours.resume();
  return true;
}
