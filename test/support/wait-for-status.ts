// The recorder of workflow histories drives sagas the same way, so the helper lives in saga-client/.
export { waitForStatus } from '../../saga-client/wait-for-status';
