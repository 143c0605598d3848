/** Spaces out work to at most `perSecond` starts a second (0 = unlimited). */
export class Pacer {
  private nextSlot = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when the next unit of work may start. */
  async take(): Promise<void> {
    if (this.perSecond <= 0) return;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
    if (slot > now) await this.sleep(slot - now);
  }
}
