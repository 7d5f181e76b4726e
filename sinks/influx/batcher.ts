/** Gathers line protocol texts into one batch body, counting lines, without copying until `take`. */
export class Batcher {
  private chunks: string[] = [];
  private count = 0;

  /** Lines waiting. */
  get lines(): number {
    return this.count;
  }

  /** `text` holds `lines` points, separated by `\n`, without a final newline. */
  add(text: string, lines: number): void {
    this.chunks.push(text);
    this.count += lines;
  }

  /** Everything gathered as one body, or undefined when nothing waits. */
  take(): { body: string; lines: number } | undefined {
    if (this.count === 0) return undefined;
    const batch = { body: this.chunks.join('\n'), lines: this.count };
    this.chunks = [];
    this.count = 0;
    return batch;
  }
}
