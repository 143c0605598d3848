/** One structured JSON log line per event, for CloudWatch Logs Insights. */
export type Logger = (event: string, fields?: Record<string, unknown>) => void;

/** Logs to stdout as JSON; silenced with MIGRATION_LOG=off (the local runner keeps the terminal for progress). */
export const jsonLogger: Logger = (event, fields = {}) => {
  if (process.env.MIGRATION_LOG === 'off') return;
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
};
