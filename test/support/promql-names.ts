import { parser } from '@prometheus-io/lezer-promql';

/**
 * The metric names a PromQL expression selects, read with Prometheus's own grammar
 * (@prometheus-io/lezer-promql, the parser of Prometheus's web UI). Grafana's `$__…` interval
 * variables are replaced by a duration first. Throws on an expression the grammar rejects.
 */
export function metricNamesOf(expr: string): string[] {
  const source = expr.replace(/\$__(rate_interval|interval|range)/g, '5m');
  const tree = parser.parse(source);
  const names: string[] = [];
  const errors: number[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(source.slice(node.from, node.to));
      // {__name__="x"} selects a metric too.
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'LabelMatcher') {
        const text = source.slice(node.from, node.to);
        const byName = /^__name__\s*=\s*"([^"]+)"$/.exec(text);
        if (byName) names.push(byName[1]!);
      }
    },
  });
  if (errors.length > 0) throw new Error(`not PromQL (at ${errors.join(', ')}): ${expr}`);
  return names;
}
