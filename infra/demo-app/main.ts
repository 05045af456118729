/**
 * The CDK app (`cdk synth`, `cdk deploy`): reads the deployment settings from context and
 * EVENT_GATEWAY_* environment variables and builds the gateway and worker stacks with the library's
 * public constructs, as a team's app would. Stacks are environment-agnostic, so synthesis needs no
 * AWS account, credentials or Docker engine.
 */
import { App } from 'aws-cdk-lib';
import { AppSettingsError, loadAppSettings } from './settings';
import { buildEventGatewayApp } from './event-gateway-app';
import { PropsValidationError } from '../index';

const app = new App();
try {
  const settings = loadAppSettings({
    context: (key): unknown => app.node.tryGetContext(key),
    env: process.env,
  });
  buildEventGatewayApp(app, settings);
} catch (error) {
  // A settings mistake is the operator's to fix: the message, not a stack trace.
  if (error instanceof AppSettingsError || error instanceof PropsValidationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
