import { CapacityStats, clientIdOf } from '../../../emulators/client-stats';

describe('CapacityStats (per-client accounting)', () => {
  it('attributes a request to the access key id that signed it', () => {
    const header = 'AWS4-HMAC-SHA256 Credential=migration/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc';
    expect(clientIdOf(header)).toBe('migration');
    expect(clientIdOf(undefined)).toBe('anonymous');
  });

  it('sums usage per client and in windows from its first request, empty windows included', () => {
    // GIVEN one client writing at 0 s, 0.5 s and 2.2 s (one throttled), and another client
    let now = 1000;
    const stats = new CapacityStats(() => now);
    const write = (units: number, throttled = false) => ({ throttled, unprocessed: 0, readUnits: 0, writeUnits: units });
    stats.record('migration', write(2));
    now += 500;
    stats.record('migration', write(0, true));
    now += 1700;
    stats.record('migration', write(3));
    stats.record('app', { throttled: false, unprocessed: 0, readUnits: 0.5, writeUnits: 0 });

    // WHEN its usage is read in 1-s windows
    const windows = stats.windows('migration', 1000);

    // THEN each window has its own requests and units, the last one ends at the last request
    expect(windows.map((w) => [w.startMs, w.endMs, w.requests, w.throttled, w.writeUnits])).toStrictEqual([
      [0, 1000, 2, 1, 2],
      [1000, 2000, 0, 0, 0],
      [2000, 2200, 1, 0, 3],
    ]);
    expect(stats.totals('migration')).toStrictEqual({ requests: 3, throttled: 1, unprocessed: 0, readUnits: 0, writeUnits: 5 });
    expect(stats.throttleRate('migration')).toBeCloseTo(1 / 3);
    expect(stats.totals('app').readUnits).toBe(0.5);
    expect(stats.clients()).toStrictEqual(['migration', 'app']);
  });

  it('orders requests by when they were admitted, not when they finished', () => {
    // GIVEN a slow request admitted at 10 ms that finishes after a fast one admitted at 20 ms
    const stats = new CapacityStats(() => 0);
    const write = (units: number) => ({ throttled: false, unprocessed: 0, readUnits: 0, writeUnits: units });
    stats.record('migration', write(1), 20);
    stats.record('migration', write(5), 10);

    // THEN the events, and the windows, follow admission time
    expect(stats.events('migration').map((e) => [e.atMs, e.writeUnits])).toStrictEqual([
      [10, 5],
      [20, 1],
    ]);
    expect(stats.windows('migration', 5).map((w) => [w.startMs, w.writeUnits])).toStrictEqual([
      [0, 5],
      [5, 0],
      [10, 1],
    ]);
  });
});
