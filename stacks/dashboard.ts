import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { TerraformStack } from 'cdktf';
import { dashboardBody, type DashboardTarget } from './dashboard-body';
import { jsonWithTerraformNumbers } from './terraform-json';

/** The dashboard and the console address it opens at. */
export interface MigrationDashboard {
  dashboard: CloudwatchDashboard;
  url: string;
}

/** The migration's CloudWatch dashboard (stacks/dashboard-body.ts) in the stack's region. */
export function migrationDashboard(stack: TerraformStack, name: string, target: DashboardTarget): MigrationDashboard {
  const dashboard = new CloudwatchDashboard(stack, 'dashboard', {
    dashboardName: name,
    // The period is a Terraform number (from lambda_timeout), written unquoted.
    dashboardBody: jsonWithTerraformNumbers(dashboardBody(target)),
  });
  const url = `https://${target.region}.console.aws.amazon.com/cloudwatch/home?region=${target.region}#dashboards/dashboard/${dashboard.dashboardName}`;
  return { dashboard, url };
}
