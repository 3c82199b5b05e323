import { Worker, type ReplayWorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { HistoryFixture } from '../../tools/histories/fixture-files';

/**
 * Replays every fixture against the given workflow code in one replay worker and returns each
 * fixture's error by name: undefined when it replayed cleanly, a DeterminismViolationError when
 * the code no longer issues the commands its history recorded. `options` adds to the replay
 * worker's (the sinks a traced bundle calls).
 */
export async function replayFixtures(
  workflowBundle: WorkflowBundleOption,
  fixtures: readonly HistoryFixture[],
  options: Pick<ReplayWorkerOptions, 'sinks'> = {},
): Promise<Map<string, Error | undefined>> {
  const outcomes = new Map<string, Error | undefined>();
  const histories = fixtures.map(({ name, history }) => ({ workflowId: name, history }));
  for await (const { workflowId, error } of Worker.runReplayHistories(
    { ...options, workflowBundle, replayName: 'history-fixtures' },
    histories,
  )) {
    outcomes.set(workflowId, error);
  }
  if (outcomes.size !== fixtures.length) throw new Error(`replayed ${outcomes.size} of ${fixtures.length} fixtures`);
  return outcomes;
}
