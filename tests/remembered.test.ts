import { describe, expect, it } from 'vitest';
import { Remembered } from '../scripts/pipeline/remembered.ts';

describe('what a process remembers between builds (remembered.ts)', () => {
  it('makes a value once per key, null included, and keeps at most its limit, dropping the oldest', () => {
    const kept = new Remembered<string, string | null>(2);
    let made = 0;
    const make = (value: string | null) => () => (made++, value);
    expect(kept.of('a', make('A'))).toBe('A');
    expect(kept.of('a', make('other'))).toBe('A');
    expect(kept.of('n', make(null))).toBeNull();
    expect(kept.of('n', make('other'))).toBeNull();
    expect(made).toBe(2);
    kept.set('c', 'C');
    expect(kept.get('a')).toBeUndefined();
    expect(kept.get('n')).toBeNull();
    expect(kept.get('c')).toBe('C');
    // Setting a kept key again drops nothing.
    kept.set('c', 'C2');
    expect(kept.get('n')).toBeNull();
    kept.delete('n');
    expect(kept.of('n', make('N'))).toBe('N');
    expect(made).toBe(3);
  });
});
