import ICAL from 'ical.js';

/**
 * The calendar feed read by a real iCalendar parser (ical.js, as calendar clients use it), after
 * a strict test-side check of what RFC 5545 says about the text itself that a lenient parser
 * forgives: CRLF line endings, physical lines of at most 75 octets, BEGIN/END nesting, the
 * properties each component must carry exactly once, UTC DATE-TIME values.
 */
export interface IcsProperty {
  name: string;
  params: Record<string, string>;
  value: string;
}

export interface IcsComponent {
  name: string;
  properties: IcsProperty[];
  components: IcsComponent[];
}

export interface ParsedEvent {
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  url: string | undefined;
  alarms: Date[];
}

const DATE_TIME_UTC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function parseUtcDateTime(value: string): Date {
  const m = DATE_TIME_UTC.exec(value);
  if (!m) throw new Error(`not a UTC DATE-TIME: ${value}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

export function parseIcs(text: string): IcsComponent {
  if (!text.endsWith('\r\n')) throw new Error('the text does not end with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  physical.forEach((line, i) => {
    if (/[\r\n]/.test(line)) throw new Error(`bare CR or LF in line ${i + 1}`);
    if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`line ${i + 1} over 75 octets`);
  });
  const logical: string[] = [];
  for (const line of physical) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (logical.length === 0) throw new Error('a continuation line comes first');
      logical[logical.length - 1] += line.slice(1);
    } else logical.push(line);
  }
  const root: IcsComponent = { name: '', properties: [], components: [] };
  const stack: IcsComponent[] = [root];
  for (const line of logical) {
    const m = /^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*))*):(.*)$/u.exec(line);
    if (!m) throw new Error(`not a content line: ${line}`);
    const name = m[1].toUpperCase();
    const params: Record<string, string> = {};
    for (const p of m[2].split(';').slice(1)) {
      const [k, v] = p.split('=');
      params[k.toUpperCase()] = v.replace(/^"|"$/g, '');
    }
    const top = stack[stack.length - 1];
    if (name === 'BEGIN') {
      const c: IcsComponent = { name: m[3], properties: [], components: [] };
      top.components.push(c);
      stack.push(c);
    } else if (name === 'END') {
      if (top.name !== m[3]) throw new Error(`END:${m[3]} closes ${top.name}`);
      stack.pop();
    } else {
      if (top === root) throw new Error(`property outside a component: ${line}`);
      top.properties.push({ name, params, value: m[3] });
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed ${stack[stack.length - 1].name}`);
  if (root.components.length !== 1 || root.components[0].name !== 'VCALENDAR') {
    throw new Error('not exactly one VCALENDAR');
  }
  const cal = root.components[0];
  expectOnce(cal, 'VERSION', '2.0');
  expectOnce(cal, 'PRODID');
  return cal;
}

function all(c: IcsComponent, name: string): IcsProperty[] {
  return c.properties.filter((p) => p.name === name);
}

function expectOnce(c: IcsComponent, name: string, value?: string): IcsProperty {
  const found = all(c, name);
  if (found.length !== 1) throw new Error(`${c.name} has ${found.length} ${name}, wants 1`);
  if (value !== undefined && found[0].value !== value) {
    throw new Error(`${c.name} ${name} is ${found[0].value}, wants ${value}`);
  }
  return found[0];
}

/** Every VEVENT of a feed: checked strictly (parseIcs), then read with ical.js. */
export function eventsOf(text: string): ParsedEvent[] {
  const strict = parseIcs(text);
  const calendar = new ICAL.Component(ICAL.parse(text));
  if (calendar.name !== 'vcalendar') throw new Error(`not a VCALENDAR: ${calendar.name}`);
  const vevents = calendar.getAllSubcomponents('vevent');
  const strictEvents = strict.components.filter((c) => c.name === 'VEVENT');
  if (vevents.length !== strictEvents.length) throw new Error('ical.js reads another VEVENT count');
  return vevents.map((vevent, i) => {
    for (const name of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SEQUENCE', 'SUMMARY']) {
      expectOnce(strictEvents[i], name);
    }
    // Every instant in the feed is UTC (…Z), so no client needs a VTIMEZONE to place it.
    for (const name of ['DTSTAMP', 'DTSTART', 'DTEND']) {
      parseUtcDateTime(expectOnce(strictEvents[i], name).value);
    }
    const event = new ICAL.Event(vevent);
    const start = event.startDate.toJSDate();
    const end = event.endDate.toJSDate();
    if (end <= start) throw new Error('DTEND is not after DTSTART');
    const alarms = vevent.getAllSubcomponents().map((alarm) => {
      if (alarm.name !== 'valarm') throw new Error(`${alarm.name} inside a VEVENT`);
      if (alarm.getFirstPropertyValue('action') !== 'DISPLAY')
        throw new Error('ACTION is not DISPLAY');
      if (!alarm.getFirstPropertyValue('description'))
        throw new Error('VALARM without DESCRIPTION');
      const trigger = alarm.getFirstProperty('trigger');
      const value = trigger?.getFirstValue();
      if (!(value instanceof ICAL.Time)) throw new Error('TRIGGER is not an absolute DATE-TIME');
      return value.toJSDate();
    });
    const url = vevent.getFirstPropertyValue('url');
    return {
      uid: event.uid,
      sequence: event.sequence,
      start,
      end,
      summary: event.summary,
      description: event.description,
      url: typeof url === 'string' ? url : undefined,
      alarms,
    };
  });
}
