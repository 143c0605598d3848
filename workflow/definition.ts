import { stateMachine, type BuiltStateMachine } from '../asl/graph';
import { cursorLoop, distributedMap, pollUntil, type ChildExecutions } from '../asl/patterns';
import { catchAll } from '../asl/retry';
import { awsSdkTask, lambdaInvoke } from '../asl/tasks';
import type { Fragment } from '../asl/types';
import type { SegmentProgress } from './contract';
import { WorkflowFailure } from './errors';
import { lambdaServiceRetries, retries, waitForOtherSegments } from './retries';

/** What the definition needs to know about the deployment; values may be Terraform expressions. */
export interface WorkflowTarget {
  tableName: string;
  tableArn: string;
  functionArn: string;
  children: ChildExecutions;
  /** How long one MigrateBatch invocation may take before Step Functions gives up on it. */
  batchTimeoutSeconds: number;
}

/** State names are part of the contract: local handlers, redrive and the docs refer to them. */
export const StateName = {
  prepare: 'Prepare',
  backupChoice: 'Back up first?',
  backupSkipped: 'Backup skipped',
  createBackup: 'CreateBackup',
  backupPoll: 'Backup',
  describeBackup: 'DescribeBackup',
  backupFailed: 'BackupFailed',
  backupError: 'Backup call failed',
  backupNotAvailable: 'Backup not available',
  migrateSegments: 'MigrateSegments',
  migrateBatch: 'MigrateBatch',
  moreToScan: 'More to scan?',
  segmentDone: 'SegmentDone',
  summarize: 'Summarize',
  anotherPass: 'Another pass?',
  howItEnded: 'How did it end?',
  succeeded: 'Succeeded',
  tooManyFailures: 'TooManyFailures',
  notFullyMigrated: 'NotFullyMigrated',
} as const;

/** How often and how long the backup is polled before the run gives up without writing. */
export const backupPolling = { intervalSeconds: 10, maxPolls: 360 } as const;

const S = StateName;

/** What to do when the backup fails; no quotes or braces, as it goes inside States.Format. */
const backupAdvice = 'Check the table and its backups in the DynamoDB console, then start again, or set skipBackup to true if you accept running without a backup.';

/**
 * The migration workflow: Prepare → Backup (unless skipped) → passes over the table, each a Map over
 * scan segments (each a MigrateBatch cursor loop) ended by Summarize, which says whether another pass
 * follows (a catch-up pass, a verification pass) → Succeed, or Fail when more items failed than
 * tolerated or items remain unmigrated after a verification.
 */
export function migrationWorkflow(target: WorkflowTarget): BuiltStateMachine {
  const prepare = lambdaInvoke(S.prepare, target.functionArn, {
    parameters: {
      step: 'prepare',
      'input.$': '$',
      'executionName.$': '$$.Execution.Name',
      'executionArn.$': '$$.Execution.Id',
      'stateMachineArn.$': '$$.StateMachine.Id',
    },
    retry: lambdaServiceRetries,
    then: { Next: S.backupChoice },
  });

  const backupChoice: Fragment = {
    states: {
      [S.backupChoice]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.plan.skipBackup', BooleanEquals: true, Next: S.backupSkipped }],
        Default: S.createBackup,
      },
      [S.backupSkipped]: { Type: 'Pass', Result: 'skipped', ResultPath: '$.backup', Next: S.migrateSegments },
      // Both ways the backup can fail explain themselves (DynamoDB's reason, or the status it ended
      // in) and say that nothing was written; one Fail state reports it.
      [S.backupError]: {
        Type: 'Pass',
        Parameters: { 'message.$': `States.Format('The backup could not be made ({}), so no item was written. ${backupAdvice}', $.backupError.Cause)` },
        ResultPath: '$.backupFailure',
        Next: S.backupFailed,
      },
      [S.backupNotAvailable]: {
        Type: 'Pass',
        Parameters: { 'message.$': `States.Format('The backup was {} instead of AVAILABLE, so no item was written. ${backupAdvice}', $.backup.status)` },
        ResultPath: '$.backupFailure',
        Next: S.backupFailed,
      },
      [S.backupFailed]: { Type: 'Fail', Error: WorkflowFailure.backupNotAvailable, CausePath: '$.backupFailure.message' },
    },
    statements: [],
  };

  const backupDetails = (root: string) => ({
    'name.$': `${root}.BackupName`,
    'arn.$': `${root}.BackupArn`,
    'status.$': `${root}.BackupStatus`,
  });

  const createBackup = awsSdkTask(
    S.createBackup,
    { service: 'dynamodb', action: 'createBackup', iamResources: [target.tableArn] },
    {
      parameters: { TableName: target.tableName, 'BackupName.$': '$.plan.backupName' },
      resultSelector: backupDetails('$.BackupDetails'),
      resultPath: '$.backup',
      retry: [retries.dynamoDbTransient],
      catch: [catchAll(S.backupError, '$.backupError')],
      then: { Next: S.backupPoll },
    },
  );

  const awaitBackup = pollUntil({
    name: S.backupPoll,
    intervalSeconds: backupPolling.intervalSeconds,
    maxPolls: backupPolling.maxPolls,
    checkName: S.describeBackup,
    check: (then) =>
      awsSdkTask(
        S.describeBackup,
        { service: 'dynamodb', action: 'describeBackup', iamResources: [`${target.tableArn}/backup/*`] },
        {
          parameters: { 'BackupArn.$': '$.backup.arn' },
          resultSelector: backupDetails('$.BackupDescription.BackupDetails'),
          resultPath: '$.backup',
          retry: [retries.dynamoDbTransient, retries.backupNotYetVisible],
          catch: [catchAll(S.backupError, '$.backupError')],
          then,
        },
      ),
    statusVariable: '$.backup.status',
    counterPath: '$.backupPolls',
    readyValue: 'AVAILABLE',
    pendingValue: 'CREATING',
    whenReady: S.migrateSegments,
    otherwise: S.backupNotAvailable,
  });

  const perSegment = cursorLoop({
    taskName: S.migrateBatch,
    choiceName: S.moreToScan,
    cursorPath: '$.progress.cursor',
    whenDone: S.segmentDone,
    task: (then) =>
      lambdaInvoke(S.migrateBatch, target.functionArn, {
        parameters: { step: 'migrateBatch', 'plan.$': '$.plan', 'segment.$': '$.segment', 'progress.$': '$.progress' },
        resultPath: '$.progress',
        timeoutSeconds: target.batchTimeoutSeconds,
        retry: [...lambdaServiceRetries, waitForOtherSegments(target.batchTimeoutSeconds), retries.batchCrashed],
        then,
      }),
  });
  perSegment.states[S.segmentDone] = { Type: 'Succeed', OutputPath: '$.progress' };

  const fanOut = distributedMap({
    name: S.migrateSegments,
    itemsPath: '$.segments',
    itemSelector: { 'segment.$': '$$.Map.Item.Value', 'plan.$': '$.plan', progress: { calls: 0, totals: [] } satisfies SegmentProgress },
    maxConcurrencyPath: '$.plan.maxConcurrency',
    resultPath: '$.results',
    processor: { startAt: S.migrateBatch, fragment: perSegment },
    children: target.children,
    then: { Next: S.summarize },
  });

  // Summarize's result is the whole state of the next pass (or the run's end), so the segments'
  // results do not travel on.
  const summarize = lambdaInvoke(S.summarize, target.functionArn, {
    parameters: {
      step: 'summarize',
      'plan.$': '$.plan',
      'backup.$': '$.backup',
      'segments.$': '$.segments',
      'results.$': '$.results',
      'passes.$': '$.passes',
    },
    retry: lambdaServiceRetries,
    then: { Next: S.anotherPass },
  });

  const finish: Fragment = {
    states: {
      [S.anotherPass]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.next', StringEquals: 'pass', Next: S.migrateSegments }],
        Default: S.howItEnded,
      },
      [S.howItEnded]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.outcome', StringEquals: 'succeeded', Next: S.succeeded },
          { Variable: '$.outcome', StringEquals: 'notFullyMigrated', Next: S.notFullyMigrated },
        ],
        Default: S.tooManyFailures,
      },
      [S.succeeded]: { Type: 'Succeed', OutputPath: '$.output' },
      [S.tooManyFailures]: { Type: 'Fail', Error: WorkflowFailure.toleratedFailuresExceeded, CausePath: '$.failureCause' },
      [S.notFullyMigrated]: { Type: 'Fail', Error: WorkflowFailure.notFullyMigrated, CausePath: '$.failureCause' },
    },
    statements: [],
  };

  return stateMachine({
    comment: 'Migrates every item of a DynamoDB table: backup, parallel segmented scan, conditional writes.',
    startAt: S.prepare,
    fragments: [prepare, backupChoice, createBackup, awaitBackup, fanOut, summarize, finish],
  });
}
