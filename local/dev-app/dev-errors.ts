import { EventGatewayError } from '../../contract/errors';

/**
 * What `event-gateway dev` reports instead of a stack trace: a setup the command cannot run with (no
 * Java, a port in use, a synth that failed, an app without a gateway). The message is the whole
 * report: it says what is wrong and what to do.
 */
export class DevSetupError extends EventGatewayError {
  override readonly name = 'DevSetupError';
}
