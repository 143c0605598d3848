import type { Backup, PassReport, Plan, SegmentProgress, Summary, Verification } from '../workflow/contract';
import { combineDigests, EMPTY_DIGEST } from '../workflow/digest';
import { WorkflowFailure } from '../workflow/errors';
import { SAMPLE_LIMIT } from '../workflow/samples';
import type { EventOf, ResultOf } from '../workflow/steps';
import { addTotals, TOTALS_FIELDS, unpackTotals, unpackVerifyTotals, zeroTotals, type Totals } from '../workflow/totals';

/** A Fail state's cause holds at most 32,768 characters. */
const MAX_CAUSE_CHARS = 30_000;

/** What a verification pass found, from its segments' results. */
export function verificationOf(results: SegmentProgress[]): Verification {
  const totals = results.map((r) => unpackVerifyTotals(r.totals));
  const sum = (field: 'checked' | 'migrated' | 'unmigrated') => totals.reduce((n, t) => n + t[field], 0);
  const unmigrated = sum('unmigrated');
  return {
    status: unmigrated === 0 ? 'VERIFIED' : 'UNMIGRATED',
    checked: sum('checked'),
    migrated: sum('migrated'),
    unmigrated,
    samples: results.flatMap((r) => r.failures ?? []).slice(0, SAMPLE_LIMIT),
    digest: results.reduce((d, r) => combineDigests(d, r.digest ?? EMPTY_DIGEST), EMPTY_DIGEST),
  };
}

/** The totals of every migration pass so far, added up. */
const migrationTotals = (passes: PassReport[]): Totals =>
  passes.reduce((sum, p) => (p.kind === 'migrate' ? addTotals(sum, Object.fromEntries(TOTALS_FIELDS.map((f) => [f, p[f]])) as Totals) : sum), zeroTotals());

/** The summary of a migration run so far, with samples from the last migration pass. */
export function migrationSummary(plan: Plan, backup: Backup, passes: PassReport[], samplesFrom: SegmentProgress[], verification?: Verification): Summary {
  const totals = migrationTotals(passes);
  return {
    status: totals.failed > plan.toleratedFailures ? 'FAILED' : 'SUCCEEDED',
    migrationId: plan.migrationId,
    table: plan.table,
    dryRun: plan.dryRun,
    ...totals,
    backup,
    failures: samplesFrom.flatMap((s) => s.failures ?? []).slice(0, SAMPLE_LIMIT),
    changes: samplesFrom.flatMap((s) => s.changes ?? []).slice(0, SAMPLE_LIMIT),
    ...(passes.length > 1 && { passes }),
    ...(verification && { verification }),
  };
}

/** A cause that stays whole JSON within a Fail state's limit: samples are dropped first. */
function causeWith(text: string, summary: Summary): string {
  const whole = JSON.stringify(summary);
  return `${text} Summary: ${whole.length < MAX_CAUSE_CHARS ? whole : JSON.stringify({ ...summary, failures: summary.failures.slice(0, 3), changes: [], verification: summary.verification && { ...summary.verification, samples: summary.verification.samples.slice(0, 3) } })}`;
}

/**
 * Ends a pass: adds it to the run's passes and decides what follows. After a migration pass: a
 * catch-up pass while the last one changed items and catch-up passes remain, then a verification
 * pass when asked for, then the end. A run whose items failed beyond tolerance ends at once.
 */
export function summarize(event: EventOf<'summarize'>): ResultOf<'summarize'> {
  const { plan, backup, segments, results } = event;
  const state = { backup, segments };

  if (plan.pass.kind === 'verify') {
    const verification = verificationOf(results);
    const { samples: _samples, ...report } = verification;
    const passes: PassReport[] = [...event.passes, { kind: 'verify', number: plan.pass.number, ...report }];
    if (plan.mode === 'verify') return { ...state, plan, passes, next: 'done', output: verification, outcome: 'succeeded' };
    const summary = migrationSummary(plan, backup, passes, [], verification);
    if (verification.status === 'VERIFIED') return { ...state, plan, passes, next: 'done', output: summary, outcome: 'succeeded' };
    return {
      ...state,
      plan,
      passes,
      next: 'done',
      output: { ...summary, status: 'FAILED' },
      outcome: 'notFullyMigrated',
      failureCause: causeWith(`${verification.unmigrated} of ${verification.checked} items are not migrated after the run (${WorkflowFailure.notFullyMigrated}).`, { ...summary, status: 'FAILED' }),
    };
  }

  const totals = results.reduce((sum, r) => addTotals(sum, unpackTotals(r.totals)), zeroTotals());
  const passes: PassReport[] = [...event.passes, { kind: 'migrate', number: plan.pass.number, ...totals }];
  const summary = migrationSummary(plan, backup, passes, results);
  if (summary.status === 'FAILED') {
    return {
      ...state,
      plan,
      passes,
      next: 'done',
      output: summary,
      outcome: 'tooManyFailures',
      failureCause: causeWith(
        `${summary.failed} items failed, more than the ${plan.toleratedFailures} tolerated (toleratedFailures). Failed items were left as they were.`,
        summary,
      ),
    };
  }
  const changed = totals.updated + totals.deleted;
  const migrationPasses = passes.filter((p) => p.kind === 'migrate').length;
  if (!plan.dryRun && changed > 0 && migrationPasses <= plan.catchUpPasses) {
    return { ...state, plan: { ...plan, pass: { kind: 'migrate', number: plan.pass.number + 1 } }, passes, next: 'pass' };
  }
  if (plan.verifyAfter) return { ...state, plan: { ...plan, pass: { kind: 'verify', number: plan.pass.number + 1 } }, passes, next: 'pass' };
  return { ...state, plan, passes, next: 'done', output: summary, outcome: 'succeeded' };
}
