import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from 'postgres';
import { ARM_SIGNAL } from '../../workers/faults/crash-after-commit';
import { CONSUMERS, RELAY, SAGA_WORKER } from '../environment/app-entries';
import { FAULT_DESCRIPTIONS, type FaultKind } from './fault-kinds';
import type { AppKind } from './app-children';
import type { ProcessSupervisor } from './process-supervisor';
import type { SeededRandom } from './random';
import { closeVhostConnections } from './vhost-connections';
import type { OwnServices } from './own-services';
import { HARNESS_APPLICATION_NAME } from './run-environment';

export interface InjectedFault {
  kind: FaultKind;
  description: string;
  /** How many sagas had been submitted when it was due. */
  afterSubmitted: number;
  /** When it hit: the kill, the broker's close, the terminate, or the self-inflicted crash. */
  at: number | null;
  /** For a service restart: when the service answered again. */
  readyAt: number | null;
  /** The app process instance it killed (one replica, picked at random), if it killed one. */
  target: string | null;
  /** What it hit: a pid, how many connections, what activity. */
  detail: string;
  /** False when it could not be injected (then `detail` says why). */
  injected: boolean;
}

const READY_WAIT_MS = 120_000;
const SETTLE_POLL_MS = 250;
/** Armed workers that may die of something else before the fault is injected. */
const MAX_ARM_ATTEMPTS = 3;
/** How long an armed worker may take to finish its next activity. */
const CRASH_WAIT_MS = 60_000;

const KILL_TARGETS: Partial<Record<FaultKind, AppKind>> = {
  'kill-saga-worker': SAGA_WORKER,
  'kill-relay': RELAY,
  'kill-consumers': CONSUMERS,
};

/**
 * Injects faults one after another, in the order they fall due. A kill (and the activity crash)
 * hits one replica of its kind, picked at random, and waits until that one (restarted after an
 * earlier fault, maybe) is serving again, so every kill hits a working process.
 */
export class FaultInjector {
  readonly injected: InjectedFault[] = [];
  #chain: Promise<void> = Promise.resolve();
  /** The moments (sagas submitted) of the faults scheduled and not yet done with. */
  readonly #waiting: number[] = [];

  constructor(
    private readonly supervisor: ProcessSupervisor,
    /** The supervisor's names of each kind's replicas. */
    private readonly instances: Record<AppKind, string[]>,
    private readonly random: SeededRandom,
    private readonly sql: Sql,
    private readonly database: string,
    private readonly vhost: string,
    /** The run's own services, which the infrastructure faults restart; null: no such fault planned. */
    private readonly services: OwnServices | null,
    /**
     * The longest the next fault waits for this one's caught work to be done (`recovered`), so each
     * fault's recovery is its own and not the sum of two overlapping faults; 0: no wait.
     */
    private readonly settleMs: number,
    /** Whether everything `fault` caught in flight is done (or it caught nothing). */
    private readonly recovered: (fault: InjectedFault) => Promise<boolean> = () => Promise.resolve(true),
  ) {}

  schedule(kind: FaultKind, afterSubmitted: number): void {
    this.#waiting.push(afterSubmitted);
    this.#chain = this.#chain.then(async () => {
      const fault: InjectedFault = {
        kind,
        description: FAULT_DESCRIPTIONS[kind],
        afterSubmitted,
        at: null,
        readyAt: null,
        target: null,
        detail: '',
        injected: false,
      };
      this.injected.push(fault);
      try {
        await this.inject(fault);
        fault.injected = true;
      } catch (error) {
        fault.detail = `not injected: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        this.#waiting.shift();
      }
      if (fault.injected) await this.settle(fault);
    });
  }

  /**
   * Whether a fault due `slack` sagas ago or earlier is still waiting for the one before it to
   * recover: on a slow machine the chain falls behind, and the last faults would otherwise come
   * after the last saga, with nothing in flight to hit.
   */
  isBehind(submitted: number, slack: number): boolean {
    return this.#waiting.some((afterSubmitted) => afterSubmitted <= submitted - slack);
  }

  /** Resolves when every scheduled fault has been injected (or given up on). */
  settled(): Promise<void> {
    return this.#chain;
  }

  private async settle(fault: InjectedFault): Promise<void> {
    const deadline = Date.now() + this.settleMs;
    while (Date.now() < deadline && !(await this.recovered(fault))) await sleep(SETTLE_POLL_MS);
  }

  private async inject(fault: InjectedFault): Promise<void> {
    const kind = KILL_TARGETS[fault.kind];
    if (kind) {
      const target = this.random.pick(this.instances[kind]);
      fault.target = target;
      await this.supervisor.waitReady(target, READY_WAIT_MS);
      const { pid, at } = this.supervisor.kill(target);
      fault.at = at;
      fault.detail = `${target} pid ${pid}`;
      return;
    }
    switch (fault.kind) {
      case 'broker-drop': {
        fault.at = Date.now();
        const closed = await closeVhostConnections(this.vhost, 'chaos', this.services?.rabbitmq.node ?? null);
        fault.detail = `${closed} connections in vhost ${this.vhost}`;
        return;
      }
      case 'postgres-kill': {
        fault.at = Date.now();
        const terminated = await this.sql<{ applicationName: string; terminated: boolean }[]>`
          SELECT application_name AS "applicationName", pg_terminate_backend(pid) AS terminated
          FROM pg_stat_activity
          WHERE datname = ${this.database} AND application_name <> ${HARNESS_APPLICATION_NAME} AND pid <> pg_backend_pid()`;
        const byApp = new Map<string, number>();
        for (const row of terminated)
          if (row.terminated) byApp.set(row.applicationName || '?', (byApp.get(row.applicationName || '?') ?? 0) + 1);
        fault.detail = `${terminated.length} backends (${[...byApp].map(([app, n]) => `${app} ${n}`).join(', ')})`;
        return;
      }
      case 'activity-crash': {
        // The armed worker may die of something else first (postgres.js's null-socket crash after
        // a backend kill, porsager/postgres#1208): arm its successor, a few times at most. That
        // exit still shows among the process exits of the report.
        const target = this.random.pick(this.instances[SAGA_WORKER]);
        fault.target = target;
        for (let attempt = 1; ; attempt++) {
          await this.supervisor.waitReady(target, READY_WAIT_MS);
          const pid = this.supervisor.signal(target, ARM_SIGNAL);
          const exit = await this.supervisor.waitForExit(target, pid, CRASH_WAIT_MS);
          if (!exit) throw new Error(`the armed worker (pid ${pid}) finished no activity within ${CRASH_WAIT_MS / 1000} s`);
          if (exit.cause === 'crash-after-commit') {
            fault.at = exit.at;
            // The crash report as the worker wrote it: verify-run reads it back as JSON.
            fault.detail = exit.detail;
            return;
          }
          if (attempt === MAX_ARM_ATTEMPTS)
            throw new Error(`the armed worker exited otherwise ${attempt} times, last (pid ${pid}): ${exit.cause}`);
        }
      }
      case 'restart-temporal':
      case 'restart-rabbitmq':
      case 'restart-postgres': {
        const services = this.services;
        if (!services) throw new Error('the run has no services of its own to restart');
        const restart =
          fault.kind === 'restart-temporal'
            ? () => services.temporal.killAndRestart()
            : fault.kind === 'restart-rabbitmq'
              ? async () => ({ ...(await services.rabbitmq.restart()), detail: `node ${services.rabbitmq.node}` })
              : async () => ({ ...(await services.postgres.restart()), detail: `cluster on :${services.postgres.port}` });
        const { stoppedAt, readyAt, detail } = await restart();
        fault.at = stoppedAt;
        fault.readyAt = readyAt;
        fault.detail = detail;
        return;
      }
      default:
        throw new Error(`no injection for fault ${fault.kind}`);
    }
  }
}
