import type { NotificationKind } from '../notification-input';
import { renderAccountabilityOpened } from './accountability-opened';
import { renderEscalation } from './escalation';
import type { RenderedNotice } from './params';
import { renderQuarterlyReportDue } from './quarterly-report-due';
import { renderQuarterlyReportLate } from './quarterly-report-late';
import { renderReminder } from './reminder';
import { renderTaskReassigned } from './task-reassigned';

export type { RenderedNotice } from './params';
export { renderDigest, type DigestItem } from './digest';

/** One template per kind; adding a kind means adding its file and its line here. */
const TEMPLATES: Record<NotificationKind, (params: Record<string, unknown>) => RenderedNotice> = {
  reminder: renderReminder,
  escalation: renderEscalation,
  quarterly_report_due: renderQuarterlyReportDue,
  quarterly_report_late: renderQuarterlyReportLate,
  accountability_opened: renderAccountabilityOpened,
  task_reassigned: renderTaskReassigned,
};

export function renderNotice(
  kind: NotificationKind,
  params: Record<string, unknown>,
): RenderedNotice {
  return TEMPLATES[kind](params);
}
