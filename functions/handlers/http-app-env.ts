/** The HTTP app's context variables: the authenticated event id and the caller's identity. */
export type AppEnv = { Variables: { authEventId: string | undefined; caller: string } };
