// Plain constants: drizzle/schema.ts imports this, so it must not import anything that reaches the db client.

export const CONSUMER_STATES = ['running', 'stopped'] as const;
/** What operators asked a consumer to be; every instance of it, in every process, follows. */
export type ConsumerState = (typeof CONSUMER_STATES)[number];
