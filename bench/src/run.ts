import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendToPerformanceDoc, gitLabel, resultsSection } from './docs-writer.js';
import { runTargets, splitDuration } from './harness.js';
import { type BenchOptions, parseOptions, USAGE } from './options.js';
import { ProcessGroup } from './processes.js';
import { checkGoals, formatGoals, openLoopRows, resultRows, textTable } from './report.js';
import { runScale } from './scale/run-scale.js';
import { checkScaleGoals, scaleRows, scaleSection } from './scale/scale-report.js';
import { SCENARIOS } from './scenarios.js';
import { apimGatewayTarget } from './targets/apim-gateway.js';
import { bareProxyTarget } from './targets/bare-proxy-target.js';
import { expressGatewayTarget } from './targets/express-gateway.js';
import { nginxProxyTarget, startUpstream, upstreamTarget } from './targets/nginx.js';
import type { BenchContext, TargetSpec } from './targets/target.js';
import { allowedCpus, ensureTools, machineInfo } from './tools.js';
import { type WrkParams, wrkCommandLine } from './wrk.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The targets of this run, in order: references first, then the gateway scenarios. */
function selectTargets(options: BenchOptions): TargetSpec[] {
  const references = [upstreamTarget, nginxProxyTarget, bareProxyTarget, expressGatewayTarget];
  const unknown = [
    ...(options.targets ?? []).filter((id) => !references.some((t) => t.id === id)),
    ...(options.scenarios ?? []).filter((id) => !SCENARIOS.some((s) => s.id === id)),
  ];
  if (unknown.length) {
    const known = [...references.map((t) => t.id), ...SCENARIOS.map((s) => s.id)].join(', ');
    throw new Error(`unknown target or scenario: ${unknown.join(', ')} (known: ${known})`);
  }
  return [
    ...references.filter((t) => !options.targets || options.targets.includes(t.id)),
    ...SCENARIOS.filter((s) => !options.scenarios || options.scenarios.includes(s.id)).map(apimGatewayTarget),
  ];
}

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const targets = selectTargets(options);
  const group = new ProcessGroup();
  group.installExitHandlers();
  const cpus = allowedCpus();
  const targetCpu = options.targetCpu ?? String(cpus[0] ?? 0);
  const loadCpu = options.loadCpu ?? String(cpus[1] ?? cpus[0] ?? 0);
  if (targetCpu === loadCpu) console.warn(`warning: targets and load share CPU ${targetCpu}; results will be skewed`);

  await ensureTools(group);
  const machine = machineInfo(); // before pinning: nproc counts the CPUs this process may use
  // Keep this orchestrating process (RSS sampling, management calls) off the targets' CPU.
  await group.run('taskset', 'taskset', ['-a', '-p', '-c', loadCpu, String(process.pid)]).catch(() => undefined);
  const wrk: WrkParams = {
    threads: options.threads,
    connections: options.connections,
    durationSec: options.durationSec,
    warmupSec: options.warmupSec,
    cpu: loadCpu,
  };
  const slices = splitDuration(options.durationSec, options.rounds);
  const load =
    `\`${wrkCommandLine(wrk)}\`, ${options.durationSec} s per target in ${slices.length} interleaved rounds ` +
    `(${slices.join(' + ')} s; the fastest round is reported), ${options.warmupSec} s warm-up before the first round and 1 s ` +
    `before the others; targets pinned to CPU ${targetCpu}, wrk, the fixed-rate generator and the shared upstream ` +
    `to CPU ${loadCpu}`;
  console.log(`${machine.cpuModel}, nproc ${machine.nproc}, node ${machine.node}\n${load}\n`);

  const upstream = await startUpstream(group, loadCpu);
  const ctx: BenchContext = { group, targetCpu, upstreamUrl: upstream.url, repoRoot: REPO_ROOT };
  if (options.scale) {
    const result = await runScale(ctx, {
      apis: options.scaleApis,
      wrk,
      rounds: options.rounds,
      loadCpu,
      log: (line) => console.log(line),
    });
    await group.stop(upstream.process);
    const goals = checkScaleGoals(result);
    console.log(`\n${textTable(scaleRows(result))}\n\n${formatGoals(goals)}\n`);
    for (const e of result.errors) console.log(`note: ${e}`);
    if (options.writeDocs) {
      const m = machine;
      const section = scaleSection({
        date: new Date(),
        git: gitLabel(REPO_ROOT),
        machine: `nproc ${m.nproc}, ${m.cpuModel}, Linux ${m.kernel}; node ${m.node}; ${m.nginx}; ${m.wrk}`,
        method: [
          `Store: ${options.scaleApis} started, deployed copies of \`0-passthrough-v4.json\` (\`/api-00000\`...), seeded into SQLite through the repositories in ${result.seedSec.toFixed(1)} s, then \`apim management\` and \`apim gateway\` (one worker, log level info) as two processes on it, pinned to CPU ${targetCpu}; RSS is the gateway process alone.`,
          'Full sync: from the spawn to the last API answering 200 (polled every 10 ms); in brackets the time of the gateway\'s own "full sync done" log line. RSS after sync: VmRSS 2 s after the start settled; peak RSS: VmHWM over the whole run, wrk rounds included.',
          'New deploy: an API imported, deployed and started over HTTP (`_import/definition`, `deployments`, `_start`), timed from the `_start` answer to its first 200 (polled every 10 ms); repeated 3 times, the worst is checked.',
          `Throughput: ${load}; on \`/api-05000/\` of the many-API gateway and \`/passthrough\` of a single-API \`apim passthrough-v4\` started in the same run, in the same interleaved rounds.`,
        ],
        result,
        goals,
      });
      const file = join(REPO_ROOT, 'docs', 'performance.md');
      appendToPerformanceDoc(file, section);
      console.log(`Appended the results to ${file}`);
    }
    group.cleanup();
    return;
  }
  const results = await runTargets(targets, ctx, {
    wrk,
    rounds: options.rounds,
    rate: options.rate,
    loadCpu,
    log: (line) => console.log(line),
  });
  await group.stop(upstream.process);

  const mainRows = resultRows(results);
  const loopRows = openLoopRows(results);
  const goals = checkGoals(results);
  console.log(`\n${textTable(mainRows)}\n`);
  if (loopRows.length > 1) console.log(`Latency at a fixed ${options.rate} requests/s:\n${textTable(loopRows)}\n`);
  console.log(`${formatGoals(goals)}\n`);
  if (options.writeDocs) {
    const section = resultsSection(
      {
        date: new Date(),
        machine,
        load,
        rate: options.rate,
        openLoopSec: options.durationSec,
        mainRows,
        openLoopRows: loopRows,
        goals,
        skipped: results.filter((r) => r.status === 'skipped').map((r) => [r.id, r.reason ?? '']),
      },
      gitLabel(REPO_ROOT),
    );
    const file = join(REPO_ROOT, 'docs', 'performance.md');
    appendToPerformanceDoc(file, section);
    console.log(`Appended the results to ${file}`);
  }
  group.cleanup();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
