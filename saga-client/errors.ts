/** No saga exists for the order. */
export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  constructor(readonly orderId: string) {
    super(`no saga for order ${orderId}`);
  }
}

/** A pageToken that is not the nextPageToken of the same query, or that Temporal refused. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
  constructor(
    message: string,
    /** What is wrong with the token, in a few words. */
    readonly problem: string,
  ) {
    super(message);
  }
}
