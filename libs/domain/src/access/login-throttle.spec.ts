import { normaliseLoginName, throttleDelayMs, throttleDelaysMs } from './login-throttle';

describe('normaliseLoginName', () => {
  it('lower-cases ASCII names for the counter and the lookup alike', () => {
    expect(normaliseLoginName('H4_A_Discipline')).toEqual({
      key: 'h4_a_discipline',
      lookup: 'h4_a_discipline',
    });
  });

  it('folds fullwidth letters (NFKC) onto the same name', () => {
    expect(normaliseLoginName('ｈ４＿ａ＿ｄｉｓｃｉｐｌｉｎｅ')).toEqual(
      normaliseLoginName('h4_a_discipline'),
    );
  });

  it('gives a dotted capital I (U+0130) no lookup: it can be nobody', () => {
    const name = normaliseLoginName('h4_a_dİscipline');
    expect(name.lookup).toBeNull();
    expect(name.key).not.toBe('h4_a_discipline');
  });

  it('gives other non-ASCII names and impossible names no lookup', () => {
    expect(normaliseLoginName('张伟').lookup).toBeNull();
    expect(normaliseLoginName('ab').lookup).toBeNull();
    expect(normaliseLoginName('a b c').lookup).toBeNull();
    expect(normaliseLoginName('K\u212Aelvin').lookup).toBe('kkelvin'); // Kelvin sign → K (NFKC)
  });
});

describe('throttle delays', () => {
  it('lets the first free failures through, then waits 2, 4, 8 … seconds, capped', () => {
    expect(throttleDelaysMs(3, 20)).toEqual([0, 0, 0, 2000, 4000, 8000, 16000, 20000]);
    expect(throttleDelayMs(2, 3, 20)).toBe(0);
    expect(throttleDelayMs(3, 3, 20)).toBe(2000);
    expect(throttleDelayMs(6, 3, 20)).toBe(16000);
    expect(throttleDelayMs(100, 3, 20)).toBe(20000);
  });

  it('works with a cap below the first delay', () => {
    expect(throttleDelaysMs(1, 1)).toEqual([0, 1000]);
  });
});
