// Plain constants: drizzle/schema.ts imports this, so it must not import anything that reaches the db client.

/**
 * A replay or discard is recorded `running` before it takes the first dead letter, then finished
 * `done` or `failed`; a row left `running` means its API process died during the sweep.
 */
export const DEAD_LETTER_ACTION_STATUSES = ['running', 'done', 'failed'] as const;
export type DeadLetterActionStatus = (typeof DEAD_LETTER_ACTION_STATUSES)[number];
