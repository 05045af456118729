/**
 * The CDK app (`cdk synth`, `cdk deploy`): reads the deployment configuration from context and
 * EVENT_GATEWAY_* environment variables and builds the gateway and worker stacks. Stacks are
 * environment-agnostic, so synthesis needs no AWS account, credentials or Docker engine.
 */
import { App } from 'aws-cdk-lib';
import { GatewayConfigError, loadGatewayConfig } from './config';
import { buildEventGatewayApp } from './event-gateway-app';

const app = new App();
try {
  const config = loadGatewayConfig({
    context: (key): unknown => app.node.tryGetContext(key),
    env: process.env,
  });
  buildEventGatewayApp(app, config);
} catch (error) {
  // A configuration mistake is the operator's to fix: the message, not a stack trace.
  if (error instanceof GatewayConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
