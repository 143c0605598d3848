import type { Catcher, Fragment, JsonPath, PayloadTemplate, Retrier, TaskState, Transition } from './types';

/** What every task builder accepts besides its resource. */
export interface TaskOptions {
  parameters?: PayloadTemplate;
  resultSelector?: PayloadTemplate;
  resultPath?: JsonPath | null;
  timeoutSeconds?: number;
  retry?: Retrier[];
  catch?: Catcher[];
  comment?: string;
  then: Transition;
}

/** Builds a Task state without writing keys for options that were not given. */
function taskState(resource: string, options: TaskOptions): TaskState {
  return {
    Type: 'Task',
    Resource: resource,
    ...(options.comment !== undefined && { Comment: options.comment }),
    ...(options.parameters !== undefined && { Parameters: options.parameters }),
    ...(options.resultSelector !== undefined && { ResultSelector: options.resultSelector }),
    ...(options.resultPath !== undefined && { ResultPath: options.resultPath }),
    ...(options.timeoutSeconds !== undefined && { TimeoutSeconds: options.timeoutSeconds }),
    ...(options.retry?.length && { Retry: options.retry }),
    ...(options.catch?.length && { Catch: options.catch }),
    ...options.then,
  };
}

/**
 * Invokes a Lambda function by its ARN; the task's payload is `parameters` and its result is the
 * function's return value. Retries are the caller's to choose (see `retrier`).
 */
export function lambdaInvoke(name: string, functionArn: string, options: TaskOptions): Fragment {
  return {
    states: { [name]: taskState(functionArn, options) },
    statements: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [functionArn, `${functionArn}:*`] }],
  };
}

/** The service and API action of an AWS SDK integration, e.g. `dynamodb` + `createBackup`. */
export interface SdkAction {
  service: string;
  action: string;
  /** The resources the IAM statement for this call is scoped to. */
  iamResources: string[];
  /** The IAM action, where it does not follow from the API name (e.g. `sfn` calls are `states:`). */
  iamAction?: string;
}

/** Calls every AWS API through the `aws-sdk` service integration, granting exactly that action. */
export function awsSdkTask(name: string, call: SdkAction, options: TaskOptions): Fragment {
  if (!/^[a-z0-9]+$/.test(call.service)) throw new Error(`Expected an SDK service name such as 'dynamodb', got: ${call.service}`);
  if (!/^[a-z][A-Za-z0-9]*$/.test(call.action)) throw new Error(`Expected a camelCase SDK action such as 'createBackup', got: ${call.action}`);
  if (call.iamResources.length === 0) throw new Error(`Task '${name}' must name the resources it calls ${call.service}:${call.action} on`);
  const iamAction = call.iamAction ?? `${call.service}:${call.action.charAt(0).toUpperCase()}${call.action.slice(1)}`;
  return {
    states: { [name]: taskState(`arn:aws:states:::aws-sdk:${call.service}:${call.action}`, options) },
    statements: [{ Effect: 'Allow', Action: [iamAction], Resource: call.iamResources }],
  };
}
