import { App } from 'cdktf';
import { bundleLambda } from './bundle/lambda-bundle';
import { MigrationStack } from './stacks/migration-stack';
import { chooseMigrationFile, chooseStackId } from './stacks/synth-options';

const app = new App();
const migrationFile = chooseMigrationFile({ env: process.env.MIGRATION_FILE, context: app.node.tryGetContext('migrationFile') });
const stackId = chooseStackId({ env: process.env.MIGRATION_STACK, context: app.node.tryGetContext('stackName') });
new MigrationStack(app, stackId, { bundle: bundleLambda(migrationFile) });
app.synth();
