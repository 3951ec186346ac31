import { LOCK_KEYS } from '../../src/database/advisory-locks';

describe('advisory lock keys', () => {
  it('gives every use its own key, so no run waits for or skips an unrelated one', () => {
    const keys = Object.values(LOCK_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
