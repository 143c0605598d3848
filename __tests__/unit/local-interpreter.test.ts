import type { State } from '../../asl/types';
import { interpreterStates, UNTIMED_TASK_SECONDS } from '../../local/execution';
import { localDefinition } from '../../local/local-deployment';

describe('GIVEN the definition as the local interpreter gets it', () => {
  const states = interpreterStates(localDefinition('t', 15).States);
  const tasks = Object.entries(states).filter((entry): entry is [string, Extract<State, { Type: 'Task' }>] => entry[1].Type === 'Task');

  it('WHEN a Task has no TimeoutSeconds (Prepare, the backup calls, the Map Run, Summarize) THEN it runs untimed as on AWS, not for the interpreter’s default 60 s', () => {
    expect(tasks.map(([name]) => name)).toStrictEqual(['Prepare', 'CreateBackup', 'DescribeBackup', 'MigrateSegments', 'Summarize']);
    for (const [name, task] of tasks) expect([name, task.TimeoutSeconds]).toStrictEqual([name, UNTIMED_TASK_SECONDS]);
    // A Node timer longer than 2^31 - 1 ms fires at once: the stand-in for "no timeout" must stay below it.
    expect(UNTIMED_TASK_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('WHEN a Task has its own TimeoutSeconds THEN it keeps it', () => {
    const batch = interpreterStates({ MigrateBatch: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 15, End: true } });
    expect(batch.MigrateBatch).toMatchObject({ TimeoutSeconds: 15 });
  });
});
