// cspell:words inpect chek
import { describe, expect, it } from 'vitest';
import { createProgress, formatEta, progressLine } from '../../src/render/progress.js';
import { renderTable, shortenMiddle, visibleLength } from '../../src/render/table.js';
import { formatCount } from '../../src/render/style.js';
import { closestCommand } from '../../src/render/not-found.js';

describe('progress line', () => {
  it('shows the bar, percentage, bytes, rate and ETA within the width', () => {
    const line = progressLine('check dump.rdb', 50 << 20, 200 << 20, 2, 79);
    expect(line).toMatch(/^check dump\.rdb \[#+\.+\] {2}25% 50\.0 MiB 25\.0 MiB\/s ETA 0:06$/);
    expect(line.length).toBeLessThanOrEqual(79);
  });

  it('drops the bar, then shortens the label, on narrow terminals; without a total, bytes and rate', () => {
    for (const width of [20, 39, 50, 79, 200]) {
      const line = progressLine(`check ${'very-long-directory/'.repeat(10)}dump.rdb`, 1 << 20, 4 << 20, 1, width);
      expect(line.length).toBeLessThanOrEqual(width);
    }
    expect(progressLine('inspect x.rdb.lz4', 3 << 20, undefined, 2, 79)).toBe('inspect x.rdb.lz4 3.0 MiB 1.5 MiB/s');
  });

  it('formats estimates as m:ss or h:mm:ss', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(65)).toBe('1:05');
    expect(formatEta(3723)).toBe('1:02:03');
  });

  it('draws on the given terminal, at most every 100 ms, and erases itself', () => {
    const written: string[] = [];
    const progress = createProgress('check f', true, { write: (text) => written.push(text), columns: 40 });
    progress.update(1, 10);
    progress.update(2, 10);
    progress.finish();
    expect(written).toHaveLength(2);
    // eslint-disable-next-line no-control-regex
    expect(written[0]).toMatch(/^\r.{1,39}\u001b\[K$/);
    expect(written[1]).toBe('\r\u001b[K');
    const silent: string[] = [];
    const off = createProgress('check f', false, { write: (text) => silent.push(text), columns: 40 });
    off.update(1, 10);
    off.finish();
    expect(silent).toEqual([]);
  });
});

describe('tables', () => {
  it('fit the width by shortening the shrinkable columns in the middle, with one rule under the header', () => {
    const rows = [['0', `user:${'x'.repeat(100)}:end`, '12 B']];
    const text = renderTable([{ header: 'db', align: 'right' }, { header: 'key', shrink: true }, { header: 'size', align: 'right' }], rows, 40);
    const lines = text.split('\n');
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(40);
    expect(lines).toHaveLength(5);
    expect(text).toMatch(/user:x+…x+:end/);
  });

  it('keep every character without a width', () => {
    const key = `user:${'x'.repeat(100)}`;
    expect(renderTable([{ header: 'key', shrink: true }], [[key]], undefined)).toContain(key);
  });

  it('shortenMiddle keeps both ends', () => {
    expect(shortenMiddle('abcdefghij', 5)).toBe('ab…ij');
    expect(shortenMiddle('abc', 5)).toBe('abc');
  });
});

describe('counts and suggestions', () => {
  it('formats counts with thousands separators', () => {
    expect([0, 999, 1000, 1234567, -1234].map(formatCount)).toEqual(['0', '999', '1,000', '1,234,567', '-1,234']);
  });

  it('suggests the closest command, or none when nothing is near', () => {
    expect(closestCommand('inpect', ['check', 'fix', 'inspect'])).toBe('inspect');
    expect(closestCommand('chek', ['check', 'fix', 'inspect'])).toBe('check');
    expect(closestCommand('zzzzzzzzzz', ['check', 'fix', 'inspect'])).toBeUndefined();
  });
});
