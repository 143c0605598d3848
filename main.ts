import { App } from 'cdktf';
import { bundleLambda } from './bundle/lambda-bundle';
import { MigrationStack } from './stacks/migration-stack';
import { chooseMigrationFile, chooseStackId } from './stacks/synth-options';
import { bundledMigrationId, synthReport } from './stacks/synth-report';

const app = new App();
const migrationFile = chooseMigrationFile({ env: process.env.MIGRATION_FILE, context: app.node.tryGetContext('migrationFile') });
const stackId = chooseStackId({ env: process.env.MIGRATION_STACK, context: app.node.tryGetContext('stackName') });
const bundle = bundleLambda(migrationFile);
new MigrationStack(app, stackId, { bundle, migrationId: bundledMigrationId(bundle) });
app.synth();
console.log(synthReport(migrationFile, bundle));
