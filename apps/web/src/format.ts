// Dates as people in the organisations read them: Beijing time, zh-CN.

const TIME_ZONE = 'Asia/Shanghai';

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const dateOnly = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const isoDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date of an instant in Beijing time, YYYY-MM-DD. */
export function dateInBeijing(instant: Date): string {
  return isoDate.format(instant);
}

/** The date of an instant (today by default) in the browser's zone, YYYY-MM-DD. */
export function todayLocal(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return dateOnly.format(new Date(iso));
}

/** A deadline: the date, and the time too unless it is the end of a day. */
export function formatDeadline(iso: string | null | undefined): string {
  if (!iso) return '无期限（长期坚持）';
  const text = dateTime.format(new Date(iso));
  return text.endsWith('23:59') ? dateOnly.format(new Date(iso)) : text;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** "周三" for a YYYY-MM-DD date, and whether it falls on a weekend. */
export function weekdayOf(date: string): { name: string; weekend: boolean } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return { name: WEEKDAYS[day], weekend: day === 0 || day === 6 };
}

/** The first instant of the quarter containing `now`, in Beijing time. */
export function quarterStart(now: Date): Date {
  const local = new Date(now.getTime() + 8 * 3600_000);
  const month = Math.floor(local.getUTCMonth() / 3) * 3;
  return new Date(Date.UTC(local.getUTCFullYear(), month, 1) - 8 * 3600_000);
}

/** The API's label of the quarter containing `now`, in Beijing time: "2026Q4". */
export function quarterLabel(now: Date): string {
  const local = new Date(now.getTime() + 8 * 3600_000);
  return `${local.getUTCFullYear()}Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

export function quarterName(now: Date): string {
  const local = new Date(now.getTime() + 8 * 3600_000);
  return `${local.getUTCFullYear()}年第${Math.floor(local.getUTCMonth() / 3) + 1}季度`;
}
