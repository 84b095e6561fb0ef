import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import { thrownBy } from '@localrec/core/testing';
import { checkBackend, prepareBackend } from '../src/backends.js';
import { RUNTIME_DEFAULTS, checkRuntimeOptions } from '../src/options.js';

const refusal = thrownBy;

describe('runtime options', () => {
  it('fills in the timing defaults and keeps what was given', () => {
    expect(checkRuntimeOptions({ appId: 'a', modelUrl: '/m/' })).toEqual({ appId: 'a', modelUrl: '/m/', ...RUNTIME_DEFAULTS });
    expect(checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', budgetMs: 7, backends: ['cpu'] })).toMatchObject({
      budgetMs: 7,
      backends: ['cpu'],
      readyTimeoutMs: 10_000,
    });
  });

  it('an unknown backend name is INVALID_CONFIG naming the value, the option and the accepted names', () => {
    const e = refusal(() => checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', backends: ['cpu', 'gpu' as never] }));
    expect(e).toBeInstanceOf(LocalRecError);
    expect(e).toMatchObject({ code: 'INVALID_CONFIG', field: 'backends', accepted: ['webgpu', 'webgl', 'wasm', 'cpu'] });
    expect(e.message).toBe('Unsupported backend "gpu". Should be one of: webgpu, webgl, wasm, cpu.');
    const f = refusal(() => checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', forceBackend: 'x' as never }));
    expect(f).toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'forceBackend',
      message: 'Unsupported backend "x". Should be one of: webgpu, webgl, wasm, cpu.',
    });
    const g = refusal(() => checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', backends: 'wasm' as never }));
    expect(g).toMatchObject({ code: 'INVALID_CONFIG', field: 'backends' });
    expect(g.message).toContain('"wasm"');
  });

  it('softwareGpu: a boolean, else INVALID_CONFIG naming the option and the value', () => {
    expect(checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', softwareGpu: true })).toMatchObject({ softwareGpu: true });
    expect(checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', softwareGpu: false })).toMatchObject({ softwareGpu: false });
    const e = refusal(() => checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', softwareGpu: 'yes' as never }));
    expect(e).toMatchObject({ code: 'INVALID_CONFIG', field: 'softwareGpu', accepted: ['true', 'false'] });
    expect(e.message).toMatch(/softwareGpu must be true or false, got .*yes/);
  });

  it('trendingUrl and trendingMaxAgeMs: INVALID_CONFIG naming the option and the value', () => {
    expect(checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', trendingUrl: '/t.json', trendingMaxAgeMs: 0 })).toMatchObject({
      trendingUrl: '/t.json',
      trendingMaxAgeMs: 0,
    });
    expect(refusal(() => checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', trendingUrl: '' }))).toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'trendingUrl',
      message: 'trendingUrl must be the trending file\'s URL, got ""',
    });
    expect(refusal(() => checkRuntimeOptions({ appId: 'a', modelUrl: '/m/', trendingMaxAgeMs: -1 }))).toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'trendingMaxAgeMs',
      accepted: ['a finite number ≥ 0'],
    });
  });

  it('the same mistake gets the same code at start: prepareBackend refuses an unknown name with INVALID_CONFIG too', async () => {
    expect(() => checkBackend('wasm')).not.toThrow();
    await expect(prepareBackend('metal' as never)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: 'Unsupported backend "metal". Should be one of: webgpu, webgl, wasm, cpu.',
    });
  });

  it('appId and modelUrl: INVALID_CONFIG naming the field and the value', () => {
    expect(refusal(() => checkRuntimeOptions({ appId: '', modelUrl: '/m/' }))).toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'appId',
      message: expect.stringContaining('""'),
    });
    expect(refusal(() => checkRuntimeOptions({ appId: 'a', modelUrl: 3 as never }))).toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'modelUrl',
      message: expect.stringContaining('got 3'),
    });
  });
});
