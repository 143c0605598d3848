/** The user's migration module, chosen when the bundle is built (see bundle/lambda-bundle.ts). */
declare module 'ddb-migrate-selected-migration' {
  const migration: unknown;
  export default migration;
}
