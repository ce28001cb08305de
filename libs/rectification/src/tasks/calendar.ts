import { chinaCalendar, type WorkingDayCalendar } from '#duban/domain';

/** The working-day calendar (Chinese public holidays and 调休), shared by api and worker. */
export const WORKING_DAY_CALENDAR = Symbol('WorkingDayCalendar');

export const calendarProvider = {
  provide: WORKING_DAY_CALENDAR,
  useFactory: (): WorkingDayCalendar => chinaCalendar(),
};
