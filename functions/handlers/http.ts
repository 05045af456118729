// Placeholder entry point; the HTTP app lands with the gateway core.
export const handler = () => Promise.resolve({ statusCode: 503, body: 'not ready' });
