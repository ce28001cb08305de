/**
 * RFC 5545 (iCalendar) text, written by hand: CRLF line endings, lines folded at 75 octets
 * (never inside a UTF-8 character), TEXT values escaped. Pure: the caller gives every instant.
 */

export interface IcsAlarm {
  /** When it rings: an absolute TRIGGER;VALUE=DATE-TIME. */
  at: Date;
  description: string;
}

export interface IcsEvent {
  /** Stable across feeds and versions, so calendars update the event instead of adding one. */
  uid: string;
  /** Grows with each change of the event (the task's version). */
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  url?: string;
  lastModified?: Date;
  alarms: readonly IcsAlarm[];
}

export interface IcsCalendar {
  prodId: string;
  name: string;
  /** DTSTAMP of every event: when the feed was generated. */
  generatedAt: Date;
  events: readonly IcsEvent[];
}

const CRLF = '\r\n';
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const MAX_OCTETS = 75;

/** A TEXT value: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11). */
export function icsEscape(text: string): string {
  return (
    text
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n')
      // Other control characters are not allowed in TEXT (RFC 5545 3.3.11).
      .replace(CONTROL_CHARACTERS, '')
  );
}

/**
 * One content line folded into lines of at most 75 octets (RFC 5545 3.1): each continuation
 * starts with a space, and a multi-octet UTF-8 character is never split.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    const limit = parts.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

/** An instant as an iCalendar UTC DATE-TIME, e.g. 20261102T020000Z (whole seconds). */
export function icsDateTime(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The whole calendar as text (CRLF after every line, the last included). */
export function renderCalendar(calendar: IcsCalendar): string {
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${calendar.prodId}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsEscape(calendar.name)}`,
  ];
  const stamp = icsDateTime(calendar.generatedAt);
  for (const e of calendar.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icsEscape(e.uid)}`,
      `SEQUENCE:${e.sequence}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${icsDateTime(e.start)}`,
      `DTEND:${icsDateTime(e.end)}`,
      `SUMMARY:${icsEscape(e.summary)}`,
      `DESCRIPTION:${icsEscape(e.description)}`,
    );
    if (e.url) lines.push(`URL:${e.url}`);
    if (e.lastModified) lines.push(`LAST-MODIFIED:${icsDateTime(e.lastModified)}`);
    for (const a of e.alarms) {
      lines.push(
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        `DESCRIPTION:${icsEscape(a.description)}`,
        `TRIGGER;VALUE=DATE-TIME:${icsDateTime(a.at)}`,
        'END:VALARM',
      );
    }
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map((l) => foldLine(l) + CRLF).join('');
}

/**
 * A deadline as an event: it ends at the deadline rounded up to the whole second (so an
 * end-of-day deadline, 23:59:59.999 local, ends at the next local midnight, written in UTC)
 * and starts an hour before.
 */
export function deadlineEventSpan(dueAt: Date): { start: Date; end: Date } {
  const end = new Date(Math.ceil(dueAt.getTime() / 1000) * 1000);
  return { start: new Date(end.getTime() - 3_600_000), end };
}
