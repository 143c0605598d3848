import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultMigrationFile } from '../bundle/lambda-bundle';
import { runSampleWorkflowLocally } from '../fixtures/aws-sample-workflow';
import type { Migration } from '../migrations/define';
import { seedDemoTable, verifyDemoTable } from '../local/demo';
import { measureInChild } from './child-process';
import { processCpuMs, type DynaliteProcess } from './dynalite-process';
import type { Job, JobSpec, Measurement } from './jobs';

/** Progress on stderr, with the time. */
export const progress = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

/** What a scenario may change about one measurement. */
export interface MeasureOptions {
  /** Where the contender's DynamoDB client connects (default: dynalite itself, e.g. a capacity emulator in front of it). */
  endpoint?: string;
  /** Runs on the seeded table before the measurement starts (e.g. gives it provisioned capacity). */
  prepare?: (table: string) => Promise<void>;
  /** Starts beside the measurement (e.g. an application writing to the table); stopped, and its traces removed, before the check. */
  alongside?: (table: string) => { stop(): Promise<void> };
}

/** The bench's tables: each measurement gets a fresh seeded one, checked item by item afterwards and dropped. */
export class BenchTables {
  private tables = 0;

  constructor(
    private readonly db: DynaliteProcess,
    private readonly client: DynamoDBClient,
  ) {}

  /** Seeds a fresh table, measures `job` on it in a child process, checks every item, drops the table. */
  async measure(job: JobSpec, label: string, options: MeasureOptions = {}): Promise<Measurement> {
    const table = `bench-${job.contender}-${++this.tables}`;
    progress(`${label}: seeding ${job.items.toLocaleString('en-US')} items`);
    await seedDemoTable(this.client, job.items, table);
    await options.prepare?.(table);
    const serverCpuBefore = processCpuMs(this.db.pid);
    const beside = options.alongside?.(table);
    let measured: Measurement;
    try {
      measured = await measureInChild({ ...job, table, endpoint: options.endpoint ?? this.db.endpoint, migrationFile: defaultMigrationFile } as Job);
    } finally {
      await beside?.stop();
    }
    const serverCpuAfter = processCpuMs(this.db.pid);
    if (serverCpuBefore !== undefined && serverCpuAfter !== undefined) measured.serverCpuMs = serverCpuAfter - serverCpuBefore;
    if (measured.status !== 'SUCCEEDED') throw new Error(`${label} did not succeed: ${measured.error ?? 'failed items'}`);
    const check = await verifyDemoTable(this.client, job.items, table);
    if (check.correct !== job.items) throw new Error(`${label} left ${job.items - check.correct} items wrong: ${check.problems.join('; ')}`);
    await this.client.send(new DeleteTableCommand({ TableName: table }));
    progress(`${label}: ${Math.round(measured.itemsPerSecond)} items/s (${(measured.elapsedMs / 1000).toFixed(1)} s, peak RSS ${measured.peakRssMb} MB, load ${measured.loadAverage.map((l) => l.toFixed(1)).join('→')}); all ${check.correct} items verified`);
    return measured;
  }

  /** History events of the sample's shape on an empty table: its fixed part. */
  async sampleFixedHistoryEvents(migration: Migration): Promise<number> {
    const table = `bench-sample-empty-${++this.tables}`;
    await seedDemoTable(this.client, 0, table);
    const run = await runSampleWorkflowLocally({ client: this.client, table, migration, executionName: 'bench-empty' });
    await this.client.send(new DeleteTableCommand({ TableName: table }));
    return run.counts.historyEvents;
  }
}
