export const noopActivities = {
  async noop(_orderId: string): Promise<void> {},
};

export type NoopActivities = typeof noopActivities;
