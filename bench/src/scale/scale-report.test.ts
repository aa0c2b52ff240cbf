import { describe, expect, it } from 'vitest';
import {
  checkScaleGoals,
  parseFullSyncDone,
  type ScaleResult,
  scaleRatio,
  scaleRows,
  scaleSection,
  worstDeploy,
} from './scale-report.js';
import { scalePath, withPath } from './seed.js';

const MiB = 1024 * 1024;

function result(extra: Partial<ScaleResult> = {}): ScaleResult {
  return {
    apis: 10_000,
    seedSec: 12,
    fullSyncMs: 3200,
    fullSyncLogMs: 3100,
    syncCpuStolen: 0.02,
    rssAfterSyncBytes: 250 * MiB,
    peakRssBytes: 300 * MiB,
    newDeployMs: [420, 510, 480],
    deployCpuStolen: 0.5,
    rps: 9700,
    rpsCpuStolen: 0.03,
    singleRps: 10_000,
    singleCpuStolen: 0.01,
    errors: [],
    ...extra,
  };
}

describe('parseFullSyncDone', () => {
  it('reads the time and API count of the pino line among others', () => {
    const log = [
      'not json',
      '{"level":30,"time":1700000000001,"api":"a","msg":"API deployed"}',
      '{"level":30,"time":1700000003123,"component":"gateway","apis":10000,"msg":"full sync done"}',
      '',
    ].join('\n');
    expect(parseFullSyncDone(log)).toEqual({ time: 1700000003123, apis: 10_000 });
  });
  it('is undefined without the line, or when the line is not the message', () => {
    expect(parseFullSyncDone('{"msg":"gateway listening","time":1}')).toBeUndefined();
    expect(parseFullSyncDone('{"msg":"sync failed","detail":"full sync done","time":1}')).toBeUndefined();
  });
});

describe('scale helpers', () => {
  it('names the paths with five digits and replaces the listener path', () => {
    expect(scalePath(0)).toBe('/api-00000');
    expect(scalePath(9999)).toBe('/api-09999');
    const doc = { api: { listeners: [{ type: 'HTTP', paths: [{ path: '/passthrough' }] }] }, plans: [] };
    expect(withPath(doc, '/api-new')).toEqual({
      api: { listeners: [{ type: 'HTTP', paths: [{ path: '/api-new' }] }] },
      plans: [],
    });
    expect(doc.api.listeners[0]?.paths[0]?.path).toBe('/passthrough');
  });
  it('computes the ratio and the worst deploy', () => {
    expect(scaleRatio(result())).toBeCloseTo(0.97);
    expect(scaleRatio(result({ singleRps: undefined }))).toBeUndefined();
    expect(worstDeploy(result())).toBe(510);
    expect(worstDeploy(result({ newDeployMs: [] }))).toBeUndefined();
  });
});

describe('checkScaleGoals', () => {
  it('passes every goal on a good run', () => {
    const checks = checkScaleGoals(result());
    expect(checks.map((c) => [c.pass, c.noisy])).toEqual([
      [true, undefined],
      [true, undefined],
      [true, undefined],
      [true, undefined],
    ]);
    expect(checks[0]?.value).toBe('0.97x');
    expect(checks[1]?.value).toBe('300.0 MiB');
  });
  it('fails the goals that are missed, and flags the CPU-bound ones as noisy when the CPU was taken', () => {
    const checks = checkScaleGoals(
      result({
        rps: 9000,
        singleCpuStolen: 0.2,
        peakRssBytes: 450 * MiB,
        fullSyncMs: 6000,
        syncCpuStolen: 0.3,
        newDeployMs: [1200],
      }),
    );
    expect(checks.map((c) => c.pass)).toEqual([false, false, false, false]);
    expect(checks[0]?.noisy).toBe('single API lost 20 % of its CPU');
    expect(checks[1]?.noisy).toBeUndefined();
    expect(checks[2]?.noisy).toBe('the sync lost 30 % of its CPU');
    expect(checks[3]?.noisy).toBeUndefined();
  });
  it('leaves out the checks whose measure did not run', () => {
    const checks = checkScaleGoals(result({ rps: undefined, newDeployMs: [] }));
    expect(checks.map((c) => c.goal.split(' ')[0])).toEqual(['peak', 'full']);
  });
});

describe('scaleRows and scaleSection', () => {
  it('formats one row', () => {
    const [header, row] = scaleRows(result());
    expect(header?.[0]).toBe('APIs');
    expect(row).toEqual([
      '10,000',
      '3.20 s (log: 3.10 s)',
      '250.0 MiB',
      '300.0 MiB',
      '0.51 s (worst of 420, 510, 480 ms)',
      '9,700',
      '10,000',
      '0.97x',
      '2 % / 3 % / 1 %',
    ]);
  });
  it('renders a dated Markdown section with the goals and the notes', () => {
    const text = scaleSection({
      date: new Date('2026-11-25T03:04:00Z'),
      git: 'abc1234',
      machine: 'nproc 2',
      method: ['Store: seeded.'],
      result: result({ errors: ['something | odd'] }),
      goals: checkScaleGoals(result()),
    });
    expect(text).toContain('## 2026-11-25 03:04 UTC (abc1234): 10,000 APIs');
    expect(text).toContain('- Machine: nproc 2.');
    expect(text).toContain('| APIs   |');
    expect(text).toContain('- PASS full sync of 10000 APIs');
    expect(text).toContain('Notes:\n\n- something | odd');
    expect(text.endsWith('\n')).toBe(true);
  });
});
