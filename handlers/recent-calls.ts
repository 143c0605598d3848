/**
 * The calls of one side (reads or writes) of a segment over the last few seconds: what they consumed
 * and how many were throttled, kept as running sums so that every answer can update them cheaply.
 * The adaptive back-off reads its rate and throttled share from here when a throttle comes.
 */
export class RecentCalls {
  private readonly events: { at: number; units: number; throttled: boolean }[] = [];
  private first = 0;
  private units = 0;
  private throttledCount = 0;
  private readonly startedAt: number;
  /** The highest rate seen over a full window with enough calls to tell (0 until then). */
  peakRate = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    /** How many calls a window needs before its rate and share mean anything. */
    private readonly minimumCalls = 10,
  ) {
    this.startedAt = now();
  }

  /** Records an answered call (what it consumed) or a throttled attempt. */
  add(event: { units: number; throttled: boolean }): void {
    this.expire();
    this.events.push({ at: this.now(), ...event });
    this.units += event.units;
    if (event.throttled) this.throttledCount += 1;
    if (this.count >= this.minimumCalls && this.now() - this.startedAt >= this.windowMs) this.peakRate = Math.max(this.peakRate, this.rate());
  }

  /** Calls and throttled attempts in the window. */
  get count(): number {
    return this.events.length - this.first;
  }

  /** Whether the window holds enough calls for its rate and share to mean anything. */
  get telling(): boolean {
    this.expire();
    return this.count >= this.minimumCalls;
  }

  /** Units consumed per second over the window (or since the start, if that is shorter, at least half a second). */
  rate(): number {
    this.expire();
    const span = Math.max(Math.min(this.now() - this.startedAt, this.windowMs), 500);
    return (this.units / span) * 1000;
  }

  /** The share of the window's calls that were throttled attempts. */
  throttledShare(): number {
    this.expire();
    return this.count === 0 ? 0 : this.throttledCount / this.count;
  }

  private expire(): void {
    const oldest = this.now() - this.windowMs;
    while (this.first < this.events.length && this.events[this.first]!.at < oldest) {
      const gone = this.events[this.first++]!;
      this.units -= gone.units;
      if (gone.throttled) this.throttledCount -= 1;
    }
    // Drop the expired head now and then, so the array does not grow with the batch.
    if (this.first > 1024 && this.first * 2 > this.events.length) {
      this.events.splice(0, this.first);
      this.first = 0;
    }
  }
}
