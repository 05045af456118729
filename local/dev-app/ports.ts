/** The dev command's ports, each checked free before anything starts, named with its flag. */
import { createServer } from 'node:net';
import { DevSetupError } from './dev-errors';

export interface DevPorts {
  readonly gateway: number;
  readonly temporal: number;
  readonly temporalUi: number;
  readonly sqs: number;
}

/** What each port is for and the flag that moves it. */
export const PORT_FLAGS = {
  gateway: { flag: '--port', what: 'the gateway', default: 3000 },
  temporal: { flag: '--temporal-port', what: "Temporal's gRPC frontend", default: 7233 },
  temporalUi: { flag: '--temporal-ui-port', what: 'the Temporal UI', default: 8233 },
  sqs: { flag: '--sqs-port', what: 'the local SQS server (ElasticMQ)', default: 9324 },
} as const satisfies Record<keyof DevPorts, { flag: string; what: string; default: number }>;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Every port the stack needs is free, or an error naming each taken one and its flag. */
export async function checkPortsFree(ports: Partial<DevPorts>): Promise<void> {
  const taken: string[] = [];
  for (const [key, port] of Object.entries(ports) as Array<[keyof DevPorts, number]>) {
    if (!(await canListen(port))) {
      const { flag, what } = PORT_FLAGS[key];
      taken.push(
        `port ${port} (${what}) is in use: stop what listens there, or pick another with ${flag} <port>`,
      );
    }
  }
  if (taken.length > 0) throw new DevSetupError(`Cannot start: ${taken.join('; ')}.`);
}
