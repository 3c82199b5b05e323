import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../tools/environment/child-process';
import { alertRules, PROMETHEUS_DIR, promtool } from '../support/prometheus';

interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

/**
 * docker/prometheus/ as Prometheus itself reads it (Debian's promtool): `npm test` fails on a
 * broken rule, a rule whose unit test in alerts.test.yml no longer holds, or a broken config.
 */
describe('the Prometheus files in docker/prometheus', () => {
  it('alerts.yml is a valid rules file', () => {
    const { status, output } = promtool('check', 'rules', 'alerts.yml');
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('every rule fires and stays quiet as alerts.test.yml says (promtool test rules)', () => {
    const { status, output } = promtool('test', 'rules', 'alerts.test.yml');
    expect(output, output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  // --syntax-only: the scrape config names the admin token file the compose entrypoint writes
  // inside the container; the rules it loads are checked above.
  it('the compose Prometheus config is valid (promtool check config)', () => {
    const { status, output } = promtool('check', 'config', '--syntax-only', 'prometheus.yml');
    expect(output, output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('alerts.test.yml sees every rule both firing and quiet', () => {
    const evaluations = (parse(readFileSync(join(PROMETHEUS_DIR, 'alerts.test.yml'), 'utf8')) as RuleTests).tests.flatMap(
      (test) => test.alert_rule_test ?? [],
    );
    const untested = alertRules().flatMap(({ alert }) => {
      const mine = evaluations.filter((evaluation) => evaluation.alertname === alert);
      return [
        ...(mine.some((evaluation) => evaluation.exp_alerts.length > 0) ? [] : [`${alert} firing`]),
        ...(mine.some((evaluation) => evaluation.exp_alerts.length === 0) ? [] : [`${alert} quiet`]),
      ];
    });
    expect(untested).toEqual([]);
  });

  it('every rule waits a while, has a severity, a summary, a description and a runbook section in docs/observability.md', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs/observability.md'), 'utf8');
    const headings = new Set([...docs.matchAll(/^#{3,4} (\S+)/gm)].map((match) => match[1]!.toLowerCase()));
    for (const rule of alertRules()) {
      expect(rule.for, rule.alert).toMatch(/^\d+m$/);
      expect(['page', 'ticket'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      expect(rule.annotations?.runbook_url).toBe(`docs/observability.md#${rule.alert.toLowerCase()}`);
      expect(headings, `a "### ${rule.alert}" section`).toContain(rule.alert.toLowerCase());
    }
  });
});
