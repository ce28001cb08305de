import type { NotificationKind } from '../notification-input';
import { renderAccountabilityOpened } from './accountability-opened';
import { renderCircularIssued } from './circular-issued';
import { renderEscalation } from './escalation';
import { renderNegativeListed, renderReinspectionAssigned } from './followup';
import type { RenderedNotice } from './params';
import { renderQuarterlyReportDue } from './quarterly-report-due';
import { renderQuarterlyReportLate } from './quarterly-report-late';
import { renderReminder } from './reminder';
import { renderCaseDecided, renderCaseOpenedForSubject } from './case-notices';
import {
  renderExtensionDecided,
  renderExtensionRequested,
  renderTaskAssigned,
  renderTaskReturned,
  renderTaskSubmitted,
  renderTaskVerified,
} from './workflow';
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
  circular_issued: renderCircularIssued,
  reinspection_assigned: renderReinspectionAssigned,
  negative_listed: renderNegativeListed,
  task_assigned: renderTaskAssigned,
  task_returned: renderTaskReturned,
  task_submitted: renderTaskSubmitted,
  task_verified: renderTaskVerified,
  extension_requested: renderExtensionRequested,
  extension_decided: renderExtensionDecided,
  case_opened_subject: renderCaseOpenedForSubject,
  case_decided: renderCaseDecided,
  task_reassigned: renderTaskReassigned,
};

export function renderNotice(
  kind: NotificationKind,
  params: Record<string, unknown>,
): RenderedNotice {
  return TEMPLATES[kind](params);
}
