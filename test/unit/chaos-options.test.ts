import { describe, expect, it } from 'vitest';
import { chaosProfile, parseOptions, type ChaosOptions } from '../../tools/chaos/options';

const chaos = (...argv: string[]) => parseOptions(argv) as ChaosOptions;

describe('the chaos run options (npm run chaos -- …)', () => {
  it('run the dev stack with one of each process by default', () => {
    expect(chaos('--seed', '7')).toMatchObject({ mode: 'chaos', profile: 'full', cluster: false, replicas: 1, sagas: 500, seed: 7 });
  });

  it('--cluster is a switch: two of each process by default, and the next argument stays a flag', () => {
    expect(chaos('--cluster')).toMatchObject({ cluster: true, replicas: 2 });
    expect(chaos('--cluster', '--profile', 'ci')).toMatchObject({ cluster: true, replicas: 2, profile: 'ci', sagas: 60 });
    expect(chaos('--keep', '--cluster')).toMatchObject({ cluster: true, keep: true });
  });

  it('--replicas sets how many of each process run, on either stack', () => {
    expect(chaos('--replicas', '3')).toMatchObject({ cluster: false, replicas: 3 });
    expect(chaos('--cluster', '--replicas=1')).toMatchObject({ cluster: true, replicas: 1 });
    expect(chaos('--replicas', '2', '--profile', 'ci')).toMatchObject({ replicas: 2, profile: 'ci' });
  });

  it('refuse a replica count that is not a positive whole number, a missing one, and both flags on the soak', () => {
    expect(() => chaos('--replicas', '0')).toThrow(/--replicas must be a positive number/);
    expect(() => chaos('--replicas', 'two')).toThrow(/--replicas must be a positive number/);
    expect(() => chaos('--replicas', '1.5')).toThrow(/--replicas must be a whole number/);
    expect(() => chaos('--replicas')).toThrow(/--replicas needs a value/);
    expect(() => chaos('--soak', '1m', '--cluster')).toThrow(/--cluster is for the chaos run/);
    expect(() => chaos('--soak', '1m', '--replicas', '2')).toThrow(/--replicas is for the chaos run/);
    expect(() => chaos('--clusters')).toThrow(/unknown flag --clusters/);
  });

  it('chaosProfile takes the stack and the replicas, as the tests run it', () => {
    expect(chaosProfile('ci', 1)).toMatchObject({ cluster: false, replicas: 1 });
    expect(chaosProfile('ci', 1, { cluster: true })).toMatchObject({ cluster: true, replicas: 2 });
    expect(chaosProfile('full', 1, { replicas: 2 })).toMatchObject({ cluster: false, replicas: 2 });
  });

  it('the full profile spaces its faults so each recovery is its own; the CI profile packs them', () => {
    expect(chaosProfile('full', 1).faultSettleMs).toBeGreaterThanOrEqual(10_000);
    expect(chaosProfile('ci', 1).faultSettleMs).toBe(0);
  });
});
