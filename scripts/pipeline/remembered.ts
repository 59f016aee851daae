/**
 * Results a process keeps by key, at most `limit` of them, the oldest dropped first: work done
 * once per content (a template's CSS read, a font subset cut, a PDF page finished) in a process
 * that runs many builds (watch mode, a batch, the tests), without memory growing with the briefs.
 */
export class Remembered<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  /** The value kept for `key`, made and kept the first time it is asked for. */
  of(key: K, make: () => V): V {
    // One lookup for a kept value (a key may be a whole stylesheet: comparing it costs).
    const kept = this.entries.get(key);
    if (kept !== undefined || this.entries.has(key)) return kept as V;
    const value = make();
    this.set(key, value);
    return value;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
