import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { DEBUG_ONLY_LOG_KEYS, LOG_MESSAGES, SERVICE_NAME, type LogKey, type LogMessage } from '../workflow/telemetry';

/** The fields of one log line: only keys named in workflow/telemetry.ts, so queries and code agree. */
export type LogFields = Partial<Record<LogKey, unknown>>;

/** One structured log line per event; the message decides the level (workflow/telemetry.ts). */
export type Logger = (message: LogMessage, fields?: LogFields) => void;

/** Drops every line: quiet local runs, and tests that do not read logs. */
export const silentLogger: Logger = () => undefined;

const method = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Lines through Powertools' Logger: one JSON object per line on stdout, at the level Lambda's
 * advanced logging controls set (AWS_LAMBDA_LOG_LEVEL), else POWERTOOLS_LOG_LEVEL, else INFO.
 * Each invocation gets a logger bound to its own keys, passed with every line rather than stored
 * on the shared Powertools instance, because local runs invoke the handler concurrently in one process.
 */
export function powertoolsLoggers(base = new PowertoolsLogger({ serviceName: SERVICE_NAME })): (keys: LogFields) => Logger {
  return (keys) => (message, fields = {}) => {
    const line: LogFields = { ...keys, ...fields };
    const debug = ['DEBUG', 'TRACE'].includes(base.getLevelName());
    // Below DEBUG, keys that may hold attribute values never reach the line.
    if (!debug) for (const key of DEBUG_ONLY_LOG_KEYS) delete line[key];
    base[method[LOG_MESSAGES[message]]](message, line);
  };
}
