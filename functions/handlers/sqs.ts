// Placeholder entry point; the SQS batch handler lands with the SQS ingress.
export const handler = () => Promise.resolve({ batchItemFailures: [] });
