import { describe, expect, it } from 'vitest';
import { thrownBy } from '@localrec/core/testing';
import { miniProgramBackends } from '../src/index.js';

const refusal = thrownBy;

describe('miniProgramBackends: the same codes as the runtime', () => {
  it('a name that is no backend is INVALID_CONFIG (a configuration mistake), naming it and the accepted ones', () => {
    const e = refusal(() => miniProgramBackends(['cpu', 'gpu']));
    expect(e).toMatchObject({ code: 'INVALID_CONFIG', field: 'backends', accepted: ['webgl', 'cpu'] });
    expect(e.message).toBe('Unsupported backend "gpu". Should be one of: webgl, cpu.');
  });

  it('a real backend a mini-program cannot run is BACKEND_UNAVAILABLE, naming it and the accepted ones', () => {
    for (const b of ['webgpu', 'wasm']) {
      const e = refusal(() => miniProgramBackends([b]));
      expect(e).toMatchObject({ code: 'BACKEND_UNAVAILABLE', field: 'backends', accepted: ['webgl', 'cpu'] });
      expect(e.message).toContain(`"${b}"`);
      expect(e.message).toContain('webgl, cpu');
    }
  });
});
