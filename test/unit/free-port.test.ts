import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../workers/free-port';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort', () => {
  it('hands out ports below the ephemeral range (and below 32768), which outgoing connections never take', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort(ports));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(Math.min(32_768, ephemeralStart));
    }
    // `taken` is honoured: twenty distinct ports.
    expect(new Set(ports).size).toBe(ports.length);
  });
});
