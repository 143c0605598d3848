import { pricing } from './pricing';
import type { BenchResult, CpuPerItem, SegmentTuning } from './results';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 2): string => n.toFixed(digits);
const usd = (n: number): string => (n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);
const sci = (n: number): string => (n >= 1e6 ? n.toExponential(1).replace('e+', 'e') : int(n));
const load = (l: [number, number]): string => `${l[0].toFixed(1)} → ${l[1].toFixed(1)}`;
const cpu = (c: CpuPerItem): string => `${fixed(c.cpuMsPerItem)}, ${c.dynaliteCpuMsPerItem === undefined ? '—' : fixed(c.dynaliteCpuMsPerItem)}`;
const tuning = (t: SegmentTuning): string => `${t.segments} seg × ${t.maxConcurrency}`;

const table = (header: string[], rows: string[][]): string =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The benchmark's result as markdown: throughput, per-million model, targets. */
export function renderMarkdown(r: BenchResult): string {
  const { ours, raw, sample, ratios } = r;
  const throughput = table(
    ['contender', 'items', 'tuning', 'items/s', 'CPU ms/item: client, dynalite', 'load avg'],
    [
      ['a. ours, default tuning', int(r.items), tuning(ours.defaultTuning), int(ours.itemsPerSecondDefault), cpu(ours.cpuDefault), load(ours.loadAverageDefault)],
      ['a. ours, best of sweep', int(r.items), tuning(ours.bestTuning), int(ours.itemsPerSecond), cpu(ours.cpu), load(ours.loadAverage)],
      ['b. raw SDK loop (same ItemMigrator)', int(r.items), tuning(raw), int(raw.itemsPerSecond), cpu(raw.cpu), load(raw.loadAverage)],
      ['c. AWS sample shape (fixture)', int(sample.items), 'sequential, pages of 50', int(sample.itemsPerSecond), cpu(sample.cpu), load(sample.loadAverage)],
      ['ours at 4N (memory run)', int(r.settings.memoryItems), tuning(ours.bestTuning), int(ours.itemsPerSecond4x), cpu(ours.cpu4x), load(ours.loadAverage4x)],
    ],
  );
  const ratioTable = table(
    ['ratio', 'value'],
    [
      ['a/b ours best ÷ raw (items/s)', fixed(ratios.oursOverRaw)],
      ['a/b ours default ÷ raw (items/s)', fixed(ratios.oursDefaultOverRaw)],
      ['a/b client CPU per item, raw ÷ ours (load-independent)', fixed(ratios.cpuPerItemRawOverOurs)],
      ['a/c ours best ÷ sample shape (items/s)', fixed(ratios.oursOverSample)],
      [`peak RSS ours at ${int(r.settings.memoryItems)} ÷ at ${int(r.items)}`, `${fixed(ratios.peakRss4xOverN)} (${fixed(ours.peakRssMb4x, 0)} MB ÷ ${fixed(ours.peakRssMb, 0)} MB)`],
    ],
  );
  const sweep = table(
    ['segments × concurrency', ...r.sweep.map((p) => `${p.segments} × ${p.maxConcurrency}`)],
    [[`items/s (${int(r.settings.sweepItems)} items)`, ...r.sweep.map((p) => int(p.itemsPerSecond))]],
  );
  const model = table(
    ['per 1,000,000 items', `ours (deployed, default ${tuning(ours.defaultTuning)}, 900 s Lambda)`, 'AWS sample shape'],
    [
      ['state transitions', `${int(ours.transitionsPerMillion)} (local ${r.settings.batchBudgetMs / 1000} s budget: ${int(ours.measuredTransitionsPerMillion)})`, int(sample.transitionsPerMillion)],
      ['Lambda invocations', `${int(ours.lambdaInvocationsPerMillion)} (local ${r.settings.batchBudgetMs / 1000} s budget: ${int(ours.measuredLambdaInvocationsPerMillion)})`, int(sample.lambdaInvocationsPerMillion)],
      ['items per Lambda invocation', `${int(ours.itemsPerInvocation)} (${fixed(ours.itemsPerLambdaSecond, 0)} items/s per segment, measured with ${r.latency.latencyMs} ms per call, × 890 s)`, '1'],
      ['history events', `parent ${int(ours.historyEventsParent)}; each of ${ours.defaultTuning.segments} children ${int(ours.historyEventsPerChildPerMillion)}`, `${int(sample.historyEventsPerMillion)} (one execution: fails at 25,000)`],
      ['DynamoDB read units (Scan, eventually consistent)', int(ours.readUnitsPerMillion), int(sample.readUnitsPerMillion)],
      ['DynamoDB write units', `${int(ours.writeUnitsPerMillion)} (UpdateItem of changed items)`, `${int(sample.writeUnitsPerMillion)} (PutItem of every item)`],
      ['Lambda GB-s', `${int(ours.lambdaGbSecondsPerMillion)} (1024 MB arm64)`, `${int(sample.lambdaGbSecondsPerMillion)} (assumed 128 MB × 5 ms, x86_64)`],
      ['cost: Step Functions', usd(ours.cost.stepFunctions), usd(sample.cost.stepFunctions)],
      ['cost: Lambda requests + duration', usd(ours.cost.lambdaRequests + ours.cost.lambdaDuration), usd(sample.cost.lambdaRequests + sample.cost.lambdaDuration)],
      ['cost: DynamoDB reads + writes', usd(ours.cost.dynamoDbReads + ours.cost.dynamoDbWrites), usd(sample.cost.dynamoDbReads + sample.cost.dynamoDbWrites)],
      ['**cost per million items**', `**${usd(ours.costPerMillionUsd)}**`, `**${usd(sample.costPerMillionUsd)}**`],
      ['DynamoDB floor: Scan reads in 1-MB pages + writes of changed items', `${usd(r.floor.costPerMillionUsd)} (${int(r.floor.readUnitsPerMillion)} read + ${int(r.floor.writeUnitsPerMillion)} write units)`, usd(r.floor.costPerMillionUsd)],
      ['**cost ÷ DynamoDB floor**', `**${fixed(r.ratios.costOverDynamoDbFloor, 3)}**`, `**${fixed(sample.costPerMillionUsd / r.floor.costPerMillionUsd, 1)}**`],
      ['largest table in one execution', `${sci(ours.maxItemsPerExecution)} (${sci(ours.maxItemsPerChild)} per child × 1,000 segments)`, int(sample.maxItemsPerExecution)],
    ],
  );
  const { latency, capacity } = r;
  const latencyTable = table(
    [`${latency.latencyMs} ms per call, 1 segment, ${latency.writeConcurrency} writes in flight, ${int(latency.items)} items a run (ABBA)`, 'items/s', 'runs', 'load avg'],
    [
      ['ours (real definition and bundle)', int(latency.ours.itemsPerSecond), latency.ours.runs.map(int).join(', '), load(latency.ours.loadAverage)],
      ['raw pipelined loop (scan a page ahead, 16 writes always in flight)', int(latency.raw.itemsPerSecond), latency.raw.runs.map(int).join(', '), load(latency.raw.loadAverage)],
      ['in-flight ÷ latency', int(latency.theoreticalItemsPerSecond), '', ''],
      ['**ours ÷ raw**', `**${fixed(latency.ratios.oursOverRaw)}**`, '', ''],
      ['ours ÷ in-flight ÷ latency (raw: ' + fixed(latency.ratios.rawOverTheoretical) + ')', fixed(latency.ratios.oursOverTheoretical), '', ''],
    ],
  );
  const capacityTable = table(
    [`${capacity.windowSeconds}-s window`, ...capacity.windowShares.map((_, i) => String(i + 1))],
    [[`migration write units ÷ budget (${capacity.budgetWriteUnitsPerSecond * capacity.windowSeconds})`, ...capacity.windowShares.map((share) => fixed(share))]],
  );
  const capacityLine =
    `Capacity scenario: a ${capacity.table.writeUnits}-WCU table, its application writing ${capacity.applicationWritesPerSecond} items/s, the migration (${capacity.segments} segments, ${int(capacity.items)} items) at writeCapacityPercent ${capacity.writeCapacityPercent} = ${capacity.budgetWriteUnitsPerSecond} WCU/s: ` +
    `${int(capacity.itemsPerSecond)} items/s; application throttled ${capacity.application.throttled} of ${int(capacity.application.requests)} requests (${fixed(capacity.application.throttleRate * 100)}%), migration ${capacity.migration.throttled} of ${int(capacity.migration.requests)}.`;
  const targets = table(
    ['target', 'wanted', 'measured', 'met'],
    r.targets.map((t) => [t.name, t.target, t.value, t.met ? 'yes' : '**no**']),
  );
  return [
    `## Benchmark: ${int(r.items)} items, ${r.date}, ${r.machine.cpus} cores, Node ${r.machine.node}, dynalite ${r.machine.dynalite} (own process)`,
    '',
    `Migration ${r.settings.migration}, skipBackup: true, MigrateBatch budget ${r.settings.batchBudgetMs / 1000} s (local default), page size ${r.settings.pageSize}, ` +
      `${r.settings.writeConcurrency} writes in flight per segment. Load average ${fixed(r.machine.loadAverageStart)} → ${fixed(r.machine.loadAverageEnd)}; total ${int(r.elapsedSeconds)} s.`,
    '',
    throughput,
    '',
    ratioTable,
    '',
    sweep,
    '',
    latencyTable,
    '',
    capacityLine,
    '',
    capacityTable,
    '',
    `Prices: AWS on-demand list prices, ${pricing.region}, as of ${pricing.asOf} (bench/pricing.ts).`,
    '',
    model,
    '',
    targets,
    '',
  ].join('\n');
}
