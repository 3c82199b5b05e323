import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `rabbitmqctl` on the machine's node (root on the project's machine can); errors carry the command and its output. */
export const rabbitmqctl = (...args: string[]): Promise<string> => rabbitmqctlOn(null, ...args);

/** `rabbitmqctl -n <node>`: on another node of this machine (the chaos run's own); null is the machine's. */
export async function rabbitmqctlOn(node: string | null, ...args: string[]): Promise<string> {
  const argv = node ? ['-n', node, ...args] : args;
  try {
    const { stdout } = await run('rabbitmqctl', argv, { timeout: 60_000 });
    return stdout;
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr).trim() : '';
    throw new Error(`rabbitmqctl ${argv.join(' ')} failed: ${stderr || (error instanceof Error ? error.message : String(error))}`, {
      cause: error,
    });
  }
}
