import { deadlineEventSpan, foldLine, icsDateTime, icsEscape, renderCalendar } from './ics';

describe('iCalendar text', () => {
  it('escapes TEXT values', () => {
    expect(icsEscape('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
  });

  it('folds at 75 octets without splitting a UTF-8 character', () => {
    const line = `SUMMARY:${'整改'.repeat(40)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
    parts.slice(1).forEach((p) => expect(p.startsWith(' ')).toBe(true));
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
    expect(foldLine('X:' + 'a'.repeat(73))).toBe('X:' + 'a'.repeat(73));
    expect(foldLine('X:' + 'a'.repeat(74))).toBe('X:' + 'a'.repeat(73) + '\r\n a');
  });

  it('writes UTC date-times and a deadline span ending on the whole second', () => {
    expect(icsDateTime(new Date('2026-11-02T02:00:00.000Z'))).toBe('20261102T020000Z');
    const span = deadlineEventSpan(new Date('2026-11-02T15:59:59.999Z'));
    expect(span.end.toISOString()).toBe('2026-11-02T16:00:00.000Z');
    expect(span.start.toISOString()).toBe('2026-11-02T15:00:00.000Z');
  });

  it('renders a calendar with CRLF lines, events and absolute alarms', () => {
    const text = renderCalendar({
      prodId: '-//Duban//Calendar feed//ZH',
      name: '我的整改时限',
      generatedAt: new Date('2026-11-01T00:00:00Z'),
      events: [
        {
          uid: 't1@duban',
          sequence: 3,
          start: new Date('2026-11-02T01:00:00Z'),
          end: new Date('2026-11-02T02:00:00Z'),
          summary: '整改时限：补齐记录',
          description: '问题：x',
          url: 'http://localhost/tasks/t1',
          alarms: [{ at: new Date('2026-11-01T02:00:00Z'), description: '提醒' }],
        },
      ],
    });
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain('SEQUENCE:3\r\n');
    expect(text).toContain('TRIGGER;VALUE=DATE-TIME:20261101T020000Z\r\n');
    expect(text).toContain('DTEND:20261102T020000Z\r\n');
  });
});
