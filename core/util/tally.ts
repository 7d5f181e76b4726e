/** Counts per key against a cap (connections per client address); a key leaves the map at zero. */
export class Tally {
  private readonly counts = new Map<string, number>();

  constructor(private readonly cap: number) {}

  /** False when `key` is at the cap (nothing counted); true when counted. */
  add(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count >= this.cap) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  remove(key: string): void {
    const count = (this.counts.get(key) ?? 1) - 1;
    if (count <= 0) this.counts.delete(key);
    else this.counts.set(key, count);
  }
}
