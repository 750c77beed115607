/**
 * `npm run validate:deploy`: proves the deployment artefacts correct without a cluster or
 * Docker. Renders the Helm chart with its default, example and CI values and validates every
 * object against the Kubernetes schemas (unknown fields included), lints the chart, checks
 * that bad values are refused, renders deploy/k8s offline and checks it the same way and
 * against the chart's defaults, and checks the Dockerfile and .dockerignore. Exit code 1 on any
 * problem. The Jest specs in test/deploy/ run the same checks.
 */
import { describeTarget, runDeployChecks } from './deploy-checks';

function main(): void {
  process.stdout.write(`Deployment checks: ${describeTarget()}\n\n`);
  const results = runDeployChecks();
  let failed = 0;
  for (const result of results) {
    const ok = result.problems.length === 0;
    if (!ok) failed++;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${result.name}\n`);
    for (const problem of result.problems) process.stdout.write(`        - ${problem}\n`);
    for (const note of result.notes ?? []) process.stdout.write(`        (${note})\n`);
  }
  process.stdout.write(`\n${results.length} checks, ${failed} failed\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main();
