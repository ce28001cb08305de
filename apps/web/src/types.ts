// The shapes of the public v1 API, as the OpenAPI document states them: names for the generated
// schemas (./generated/api.ts, written by `npm run openapi`), never copies of them.
import type { components } from './generated/api';

type Schemas = components['schemas'];

export type Me = Schemas['MeResponse'];
export type RoleOfUser = Schemas['RoleOfUser'];
export type Role = RoleOfUser['role'];
export type Org = Schemas['OrgResponse'];
export type OrgMember = Schemas['RoleRecordResponse'];
/** A role grant with its history (GET /orgs/{id}/roles?history=true). */
export type RoleRecord = Schemas['RoleRecordResponse'];
export type OrgImportResult = Schemas['OrgImportResultResponse'];

export type Task = Schemas['TaskResponse'];
export type TaskDetail = Schemas['TaskDetailResponse'];
export type Light = Task['light'];
export type TaskState = Task['state'];
export type TaskMode = Task['mode'];
export type TaskAction = Task['actions'][number];
export type PendingExtension = Schemas['PendingExtensionResponse'];
export type TimelineEvent = Schemas['TimelineEventResponse'];
export type Escalation = Schemas['EscalationResponse'];
export type Extension = Schemas['ExtensionResponse'];
export type BulkCloseResult = Schemas['BulkCloseResult'];

export type Problem = Schemas['ProblemResponse'];
export type ProblemDetail = Schemas['ProblemDetailResponse'];
export type Category = Schemas['CategoryResponse'];
export type Attachment = Schemas['AttachmentResponse'];

export type EscalationPolicy = Schemas['EffectivePolicyResponse'];
export type EscalationStep = Schemas['EscalationStepDto'];
export type Offset = EscalationStep['after'];

export type AccountabilityCase = Schemas['CaseResponse'];
export type CaseDetail = Schemas['CaseDetailResponse'];

export type Notification = Schemas['NotificationResponse'];
export type NotificationSettings = Schemas['NotificationSettingsResponse'];
export type Delegation = Schemas['DelegationResponse'];

export type QuarterSummary = Schemas['QuarterSummaryResponse'];
export type CalendarDay = Schemas['CalendarDayResponse'];
export type IssuedCircular = Schemas['CircularResponse'];
export type Reinspection = Schemas['ReinspectionResponse'];
export type NegativeEntry = Schemas['NegativeListEntryResponse'];

export type Campaign = Schemas['CampaignResponse'];
export type CampaignDetail = Schemas['CampaignDetailResponse'];
export type CampaignKind = Campaign['kind'];
export type ChecklistItem = Schemas['ChecklistItemResponse'];
export type TargetCounts = Schemas['TargetCountsResponse'];
export type Finding = Schemas['FindingResponse'];

export type Commitment = Schemas['CommitmentResponse'];
export type CommitmentState = Commitment['state'];
export type CommitmentItem = Schemas['CommitmentItemResponse'];
export type ItemResult = NonNullable<Schemas['CommitmentItemResponse']['result']>;
export type Review = Schemas['ReviewResponse'];
export type Assessment = Schemas['AssessmentResponse'];
export type AssessmentSummary = Schemas['AssessmentSummaryResponse'];
export type Grade = Assessment['rows'][number]['grade'];
export type DrillDown = Schemas['DrillDownResponse'];
export type CaseOutcome = Schemas['CaseDecisionRequest']['outcome'];
export type Channel = NonNullable<Schemas['NotificationSettingsRequest']['channels']>[number];
export type ImportRowError = Schemas['ImportRowErrorResponse'];
/** One entry's outcome in POST /quarterly-feedback (a measure or a commitment item). */
export type QuarterlyFeedbackEntry = Schemas['QuarterlyFeedbackEntryResponse'];
