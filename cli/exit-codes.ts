/** The CLI's exit codes; `--help` and the README list them. */
export const EXIT = {
  /** The migration succeeded and every item was migrated (or a dry run found nothing that would fail). */
  ok: 0,
  /** The migration failed, or it finished with items that failed and remain unmigrated; `verify`: items are not migrated. */
  failed: 1,
  /** A usage or setup error: a bad flag or combination, a missing table or file, a migration that does not compile. Nothing was written. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM; progress is saved and the output says how to resume. */
  stopped: 130,
} as const;

/** The exit codes as --help shows them. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success: every item migrated (a dry run: nothing would fail)
  1    the migration failed, or items failed and remain unmigrated (verify: items not migrated)
  2    usage or setup error (bad flag, missing table or file, type error, another run
       migrating the table); nothing was written
  130  stopped by Ctrl-C; progress saved, the output gives the command to resume`;
