import {
  CancellationScope,
  proxyActivities,
  proxyLocalActivities,
  type ActivityFunctionWithOptions,
  type LocalActivityFunctionWithOptions,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import { LOCAL_STEP_OPTIONS, STEP_OPTIONS } from './activity-options';
import type { SagaProgress } from './saga-progress';
import { STEP_TABLE, type ActivityStep, type StepArgs, type StepKind, type StepResult } from './step-table';

// Typed by step, so a step's arguments and result follow from its name.
const remoteSteps: { [S in ActivityStep]: ActivityFunctionWithOptions<OrderActivities[S]> } =
  proxyActivities<OrderActivities>(STEP_OPTIONS);
const localSteps: { [S in ActivityStep]: LocalActivityFunctionWithOptions<OrderActivities[S]> } =
  proxyLocalActivities<OrderActivities>(LOCAL_STEP_OPTIONS);

export type RunStep = <S extends ActivityStep>(step: S, ...args: StepArgs<S>) => Promise<StepResult<S>>;

/**
 * The one way a forward step runs, as STEP_TABLE says: status and compensation first, then the
 * activity with its summary, then the step recorded as done. `kindFor` says how a step of a kind
 * runs in this saga's code version (older sagas keep the kinds they started with).
 */
export function stepRunner(progress: SagaProgress, kindFor: (kind: StepKind) => StepKind): RunStep {
  return async <S extends ActivityStep>(step: S, ...args: StepArgs<S>): Promise<StepResult<S>> => {
    const spec = STEP_TABLE[step];
    progress.begin(step, spec.status, spec.compensation);
    const summary = spec.summary(args, progress.state);
    const run = (): Promise<StepResult<S>> =>
      kindFor(spec.kind) === 'local'
        ? localSteps[step].executeWithOptions({ ...LOCAL_STEP_OPTIONS, summary }, args)
        : remoteSteps[step].executeWithOptions({ ...STEP_OPTIONS, summary }, args);
    let result: StepResult<S>;
    if (spec.uninterruptible) {
      progress.uninterruptibleStep = step;
      try {
        result = await CancellationScope.nonCancellable(run);
      } finally {
        progress.uninterruptibleStep = null;
      }
    } else {
      result = await run();
    }
    progress.completed(step);
    return result;
  };
}
