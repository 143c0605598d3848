import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, metricDimensions, SERVICE_NAME } from '../workflow/telemetry';
import type { MetricValue } from './batch-metrics';
import { powertoolsLoggers, silentLogger, type LogFields, type Logger } from './log';

/** Which migration of which table: the metrics' dimensions. */
export interface MetricDimensions {
  migrationId: string;
  table: string;
}

/** Where one invocation's logs and metrics go. */
export interface Telemetry {
  /** A logger whose every line carries `keys`, the invocation's identity. */
  logger(keys: LogFields): Logger;
  /** Publishes one batch's metrics as one EMF line, with `keys` as its properties (once per invocation). */
  publishBatch(dimensions: MetricDimensions, values: MetricValue[], keys: LogFields): void;
}

/** No logs, no metrics: local runs by default, and tests that read neither. */
export const silentTelemetry: Telemetry = { logger: () => silentLogger, publishBatch: () => undefined };

/**
 * Logs and metrics through Powertools, as JSON lines on stdout: Lambda sends them to the function's
 * log group, where CloudWatch turns the EMF lines into metrics (no PutMetricData permission needed).
 */
export function powertoolsTelemetry(): Telemetry {
  const loggers = powertoolsLoggers();
  return {
    logger: loggers,
    publishBatch(dimensions, values, keys) {
      // One Metrics per invocation: concurrent local invocations share the process, not a buffer.
      const metrics = new Metrics({
        namespace: METRIC_NAMESPACE,
        serviceName: SERVICE_NAME,
        defaultDimensions: metricDimensions(dimensions),
      });
      for (const { name, unit, value } of values) metrics.addMetric(name, unit, value);
      for (const [key, value] of Object.entries(keys)) if (value !== undefined) metrics.addMetadata(key, String(value));
      metrics.publishStoredMetrics();
    },
  };
}

/**
 * The Lambda's telemetry: Powertools, unless MIGRATION_LOG=off (the local runner sets it, so the
 * terminal stays free for progress bars; `MIGRATION_LOG=on` shows the lines locally).
 */
export const telemetryFromEnv = (): Telemetry => (process.env.MIGRATION_LOG === 'off' ? silentTelemetry : powertoolsTelemetry());
