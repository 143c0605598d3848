import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHandler, type HandlerDependencies } from '../../handlers/create-handler';
import { defineMigration, type Item, type TransformResult } from '../../migrations/define';
import type { PrepareResult, SegmentProgress, Summary, SummarizeResult } from '../../workflow/contract';
import { builtInTuning } from '../../workflow/input';

const forever = { getRemainingTimeInMillis: () => 60_000 };

/** Runs Prepare → every segment's MigrateBatch loop → Summarize with the handler, no state machine. */
export async function migrateTable(
  client: DynamoDBClient,
  table: string,
  transform: (item: Item) => TransformResult | Promise<TransformResult>,
  input: Record<string, unknown> = {},
  extra: Partial<HandlerDependencies> = {},
): Promise<Summary> {
  const handler = createHandler({
    client,
    table,
    migration: defineMigration({ id: 'test-migration', transform }),
    defaults: builtInTuning,
    log: () => undefined,
    ...extra,
  });
  const { plan, segments } = (await handler({ step: 'prepare', input: { skipBackup: true, totalSegments: 2, ...input }, executionName: 'test' }, forever)) as PrepareResult;
  const results: SegmentProgress[] = [];
  for (const segment of segments) {
    let progress: Partial<SegmentProgress> = {};
    do {
      progress = (await handler({ step: 'migrateBatch', plan, segment, progress }, forever)) as SegmentProgress;
    } while (progress.cursor);
    results.push(progress as SegmentProgress);
  }
  const { summary } = (await handler({ step: 'summarize', plan, backup: 'skipped', segments: results }, forever)) as SummarizeResult;
  return summary;
}
