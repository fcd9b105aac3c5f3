import { describe, expect, it } from 'vitest';
import { describeDevice, formatDate } from './format.ts';

describe('formatting', () => {
  it('a User-Agent header becomes "browser on system"', () => {
    expect(describeDevice('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36')).toBe('Chrome on Linux');
    expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 Edg/140.0')).toBe('Edge on Windows');
    expect(describeDevice('HTTPie/3.2.4')).toBe('HTTPie');
    expect(describeDevice(null)).toBe('Unknown device');
  });

  it('dates are local and short; nothing or nonsense stays readable', () => {
    expect(formatDate('2025-03-01T10:00:00.000Z', 'en-GB')).toMatch(/2025/);
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date')).toBe('not a date');
  });
});
