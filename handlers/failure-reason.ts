/**
 * Why one item failed, in two forms. The whole reason goes into the summary's failure samples, as
 * before. Log lines get the reason with every piece of text from outside our code withheld: a
 * transform's error message, the marshaller's and DynamoDB's messages can quote attribute values
 * (the CLF example's error quotes the timestamp it could not parse), our own words never do.
 */
import type { ReportKey } from '../workflow/contract';
import type { LogFields } from './log';

/** Text from outside our code, which may quote attribute values. */
export class Quoted {
  constructor(readonly text: string) {}
}

/** Marks `text` as coming from outside our code. */
export const quoted = (text: string): Quoted => new Quoted(text);

/** What log lines show in place of quoted text (debug lines carry the whole reason as well). */
export const WITHHELD = '[withheld]';

/** A per-item failure reason, whole and as logs show it. */
export interface FailureReason {
  /** The whole reason: the summary's failure sample. */
  reason: string;
  /** The reason with quoted text replaced by WITHHELD: the only form a log line carries below debug. */
  logReason: string;
}

type Part = string | number | Quoted | FailureReason;

const isReason = (part: Part): part is FailureReason => typeof part === 'object' && 'logReason' in part;

/** A failure reason from our words and quoted parts: reason`transform threw ${quoted(message)}`. */
export function reason(words: TemplateStringsArray, ...parts: Part[]): FailureReason {
  let whole = words[0] ?? '';
  let logged = words[0] ?? '';
  parts.forEach((part, i) => {
    const next = words[i + 1] ?? '';
    if (part instanceof Quoted) {
      whole += part.text + next;
      logged += WITHHELD + next;
    } else if (isReason(part)) {
      whole += part.reason + next;
      logged += part.logReason + next;
    } else {
      whole += String(part) + next;
      logged += String(part) + next;
    }
  });
  return { reason: whole, logReason: logged };
}

/** An error as a reason: its class name is ours to show, its message is quoted. `Error` itself goes unnamed. */
export function errorReason(error: unknown): FailureReason {
  if (!(error instanceof Error)) return reason`${quoted(String(error))}`;
  return error.name === 'Error' ? reason`${quoted(error.message)}` : reason`${error.name}: ${quoted(error.message)}`;
}

/** An `item.failed` line's fields: the key as JSON text, the reason as logs show it, and the whole reason for DEBUG lines. */
export const itemFailureFields = (key: ReportKey, failure: FailureReason): LogFields => ({
  key: JSON.stringify(key),
  reason: failure.logReason,
  reasonDetail: failure.reason,
});
