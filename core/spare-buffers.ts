/**
 * Buffers kept for reuse, by length. A stream node handles a frame per camera per second: a 1.5 MB
 * frame from ffmpeg, its copy sent to the face engine's worker, a 2.9 MB detector tensor. Allocated
 * fresh each time they are garbage the collector has to chase; taken from here and given back when
 * done they are not. Bounded: at most `perLength` buffers of a length, of at most `lengths` lengths
 * (a buffer of a new length beyond that forgets the others: frame sizes change rarely).
 */
export class SpareBuffers<T extends { readonly length: number }> {
  private readonly byLength = new Map<number, T[]>();

  constructor(private readonly make: (length: number) => T, private readonly bounds: { perLength: number; lengths: number }) {}

  /** a spare of this length, or a new one */
  take(length: number): T {
    return this.byLength.get(length)?.pop() ?? this.make(length);
  }

  /** `b` is not read or written any more by whoever gives it */
  give(b: T): void {
    let list = this.byLength.get(b.length);
    if (!list) {
      if (this.byLength.size >= this.bounds.lengths) this.byLength.clear();
      this.byLength.set(b.length, (list = []));
    }
    if (list.length < this.bounds.perLength) list.push(b);
  }
}
