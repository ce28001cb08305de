import type { WorkingDayCalendar } from '#duban/domain';
import { CalendarService } from '../calendar/calendar.service';
import { liveCalendar } from '../calendar/live-calendar';

/** The working-day calendar (Chinese public holidays and 调休), shared by api and worker. */
export const WORKING_DAY_CALENDAR = Symbol('WorkingDayCalendar');

/**
 * Always the calendar in force: the package's holiday data plus the overrides in PostgreSQL,
 * reloaded by CalendarService when they change (see liveCalendar).
 */
export const calendarProvider = {
  provide: WORKING_DAY_CALENDAR,
  inject: [CalendarService],
  useFactory: (calendars: CalendarService): WorkingDayCalendar =>
    liveCalendar(() => calendars.current()),
};
