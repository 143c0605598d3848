import { BURST_SECONDS, TokenBucket } from '../../../emulators/token-bucket';

/** A clock the test moves by hand. */
function manualClock() {
  let ms = 0;
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

describe('TokenBucket (provisioned throughput)', () => {
  it('starts empty by default and refills at the provisioned rate', () => {
    // GIVEN a 50-unit bucket, new
    const clock = manualClock();
    const bucket = new TokenBucket(50, { now: clock.now });
    // THEN nothing is available yet; WHEN 0.2 s pass THEN 10 units are
    expect(bucket.hasCapacity()).toBe(false);
    clock.advance(0.2);
    expect(bucket.tokens).toBeCloseTo(10);
  });

  it('admits while anything is left and lets the real cost run into debt', () => {
    // GIVEN half a unit left
    const clock = manualClock();
    const bucket = new TokenBucket(10, { now: clock.now });
    clock.advance(0.05);
    // WHEN a 4-unit write is charged
    expect(bucket.hasCapacity()).toBe(true);
    bucket.take(4);
    // THEN the bucket is in debt and admits nothing until refilled past zero
    expect(bucket.tokens).toBeCloseTo(-3.5);
    expect(bucket.hasCapacity()).toBe(false);
    clock.advance(0.36);
    expect(bucket.hasCapacity()).toBe(true);
  });

  it('saves at most 300 seconds of unused capacity', () => {
    // GIVEN a bucket asked to start with 1,000 s of burst, then idle for an hour
    const clock = manualClock();
    const bucket = new TokenBucket(2, { initialSeconds: 1000, now: clock.now });
    expect(bucket.tokens).toBe(2 * BURST_SECONDS);
    clock.advance(3600);
    // THEN it holds 300 s worth, and a refund cannot push it past that either
    expect(bucket.tokens).toBe(600);
    bucket.take(-50);
    expect(bucket.tokens).toBe(600);
  });

  it('keeps saved capacity across a rate change, capped at the new burst limit', () => {
    // GIVEN 100 units saved at 10 units/s
    const clock = manualClock();
    const bucket = new TokenBucket(10, { now: clock.now });
    clock.advance(10);
    // WHEN the rate is halved (UpdateTable), THEN the 100 units stay and refill is at the new rate
    bucket.setRate(5);
    expect(bucket.tokens).toBeCloseTo(100);
    clock.advance(1);
    expect(bucket.tokens).toBeCloseTo(105);
    // WHEN it drops to a rate whose 300 s burst is smaller THEN the excess is gone
    bucket.setRate(0.1);
    expect(bucket.tokens).toBeCloseTo(30);
  });

  it('rejects a negative rate with the bad value in the message', () => {
    expect(() => new TokenBucket(-1)).toThrow('Expected a capacity of 0 or more units per second, got: -1');
  });
});
