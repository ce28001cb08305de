import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ASSESSMENT_GRADES,
  COMMITMENT_RESULTS,
  COMMITMENT_STATES,
  INDICATOR_SOURCES,
  REVIEW_GRADES,
} from '#duban/domain';

const YEAR = { min: 2000, max: 2100 };

function Year(): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ example: 2026 })(target, key);
    IsInt({ message: 'year must be an integer, e.g. 2026' })(target, key);
    Min(YEAR.min, { message: `year must be ${YEAR.min}-${YEAR.max}` })(target, key);
    Max(YEAR.max, { message: `year must be ${YEAR.min}-${YEAR.max}` })(target, key);
  };
}

/** A UUID: documented with its format, refused with a message naming `field` when it is not one. */
function UuidField(
  field: string,
  options: { optional?: boolean; description?: string } = {},
): PropertyDecorator {
  const { optional, ...doc } = options;
  return (target, key) => {
    (optional ? ApiPropertyOptional : ApiProperty)({ format: 'uuid', ...doc })(target, key);
    if (optional) IsOptional()(target, key);
    IsUUID('all', { message: `${field} must be a UUID` })(target, key);
  };
}

/** Text of 1 to `max` characters. */
function TextField(
  field: string,
  max: number,
  options: { optional?: boolean; example?: string; description?: string } = {},
): PropertyDecorator {
  const { optional, ...doc } = options;
  return (target, key) => {
    (optional ? ApiPropertyOptional : ApiProperty)(doc)(target, key);
    if (optional) IsOptional()(target, key);
    IsString({ message: `${field} must be a string` })(target, key);
    Length(1, max, { message: `${field} must be 1-${max} characters` })(target, key);
  };
}

/** One of `values`, as the enum the document shows. */
function OneOfField(
  field: string,
  values: readonly string[],
  options: { optional?: boolean; description?: string } = {},
): PropertyDecorator {
  const { optional, ...doc } = options;
  return (target, key) => {
    (optional ? ApiPropertyOptional : ApiProperty)({ enum: values, ...doc })(target, key);
    if (optional) IsOptional()(target, key);
    IsIn(values, { message: `${field} must be one of ${values.join(', ')}` })(target, key);
  };
}

function Uuids(field: string, max = 50): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ type: [String], format: 'uuid' })(target, key);
    IsOptional()(target, key);
    IsArray({ message: `${field} must be an array of UUIDs` })(target, key);
    ArrayMaxSize(max, { message: `${field} may list at most ${max}` })(target, key);
    IsUUID('all', { each: true, message: `${field} must hold UUIDs` })(target, key);
  };
}

// ---- commitments (承诺) ----

export class CommitmentItemRequest {
  @TextField('title', 500, { example: '全年按期完成上级交办整改措施' })
  title!: string;

  @TextField('target', 2000, { example: '按期整改率不低于 95%' })
  target!: string;

  @ApiProperty({ example: '2026-12-31' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dueDate must be a date as YYYY-MM-DD' })
  dueDate!: string;

  @Uuids('taskIds')
  taskIds?: string[];
}

export class FileCommitmentRequest {
  @UuidField('orgId')
  orgId!: string;

  @UuidField('userId', { optional: true, description: "A secretary's personal commitment" })
  userId?: string;

  @Year()
  year!: number;

  @ApiProperty({ type: [CommitmentItemRequest] })
  @IsArray({ message: 'items must be an array' })
  @ArrayMinSize(1, { message: 'items must list at least one item' })
  @ArrayMaxSize(50, { message: 'items may list at most 50 items' })
  @ValidateNested({ each: true })
  @Type(() => CommitmentItemRequest)
  items!: CommitmentItemRequest[];
}

export class CommitmentReturnRequest {
  @TextField('comment', 2000, { example: '目标不够具体，请量化' })
  comment!: string;
}

export class CommitmentProgressRequest {
  @TextField('content', 4000, { example: '第一季度已完成 3 项整改' })
  content!: string;

  @Uuids('attachmentIds', 20)
  attachmentIds?: string[];
}

export class CommitmentRatingRequest {
  @UuidField('itemId')
  itemId!: string;

  @OneOfField('result', COMMITMENT_RESULTS)
  result!: (typeof COMMITMENT_RESULTS)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'comment must be a string' })
  @Length(0, 2000, { message: 'comment must be at most 2000 characters' })
  comment?: string;
}

export class CommitmentEvaluationRequest {
  @ApiProperty({ type: [CommitmentRatingRequest] })
  @IsArray({ message: 'items must be an array' })
  @ArrayMaxSize(50, { message: 'items may list at most 50 items' })
  @ValidateNested({ each: true })
  @Type(() => CommitmentRatingRequest)
  items!: CommitmentRatingRequest[];
}

export class MemberRatingRequest {
  @UuidField('itemId')
  itemId!: string;

  @OneOfField('result', COMMITMENT_RESULTS)
  result!: (typeof COMMITMENT_RESULTS)[number];
}

export class MemberRatingsRequest {
  @ApiProperty({ type: [MemberRatingRequest], description: 'Some or all items, each once' })
  @IsArray({ message: 'items must be an array' })
  @ArrayMinSize(1, { message: 'items must rate at least one item' })
  @ArrayMaxSize(50, { message: 'items may list at most 50 items' })
  @ValidateNested({ each: true })
  @Type(() => MemberRatingRequest)
  items!: MemberRatingRequest[];
}

export class CommitmentQuery {
  @UuidField('orgId', { optional: true })
  orgId?: string;

  @ApiPropertyOptional({ example: 2026 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be an integer, e.g. 2026' })
  @Min(YEAR.min, { message: `year must be ${YEAR.min}-${YEAR.max}` })
  @Max(YEAR.max, { message: `year must be ${YEAR.min}-${YEAR.max}` })
  year?: number;
}

export class CommitmentProgressResponse {
  @ApiProperty({ example: '2026Q1' }) quarter!: string;
  @ApiProperty() content!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) attachmentIds!: string[];
  @ApiProperty({ format: 'date-time' }) reportedAt!: string;
}

export class MemberTallyResponse {
  @ApiProperty() fulfilled!: number;
  @ApiProperty() partly!: number;
  @ApiProperty() not_fulfilled!: number;
  @ApiProperty({ description: 'How many members rated the item (= the sum of the counts)' })
  raters!: number;
}

export class CommitmentItemResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() target!: string;
  @ApiProperty() dueDate!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) taskIds!: string[];
  @ApiProperty({ enum: COMMITMENT_RESULTS, nullable: true }) result!: string | null;
  @ApiProperty({ type: String, nullable: true }) resultComment!: string | null;
  @ApiProperty({
    type: MemberTallyResponse,
    nullable: true,
    description: "党员评诺: the members' counts, shown once the superior has evaluated",
  })
  memberTally!: MemberTallyResponse | null;
  @ApiProperty({ type: [CommitmentProgressResponse] }) progress!: CommitmentProgressResponse[];
}

export class CommitmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) userId!: string | null;
  @ApiProperty() year!: number;
  @ApiProperty({ enum: COMMITMENT_STATES }) state!: string;
  @ApiProperty({ type: String, nullable: true }) returnComment!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt!: string | null;
  @ApiProperty({ type: [CommitmentItemResponse] }) items!: CommitmentItemResponse[];
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'The items you have rated as a member (never how)',
  })
  myRatedItemIds!: string[];
}

// ---- 述职评议 ----

export class ReviewSubjectRequest {
  @UuidField('subjects[].orgId')
  orgId!: string;

  @UuidField('subjects[].userId')
  userId!: string;
}

export class CreateReviewRequest {
  @UuidField('hostOrgId')
  hostOrgId!: string;

  @Year()
  year!: number;

  @ApiProperty({ type: [ReviewSubjectRequest] })
  @IsArray({ message: 'subjects must be an array' })
  @ArrayMinSize(1, { message: 'subjects must list at least one subject' })
  @ArrayMaxSize(200, { message: 'subjects may list at most 200' })
  @ValidateNested({ each: true })
  @Type(() => ReviewSubjectRequest)
  subjects!: ReviewSubjectRequest[];

  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray({ message: 'voterUserIds must be an array of UUIDs' })
  @ArrayMinSize(1, { message: 'voterUserIds must list at least one voter' })
  @ArrayMaxSize(1000, { message: 'voterUserIds may list at most 1000' })
  @IsUUID('all', { each: true, message: 'voterUserIds must hold UUIDs' })
  voterUserIds!: string[];
}

export class ReviewReportRequest {
  @UuidField('subjectUserId')
  subjectUserId!: string;

  @TextField('text', 20000, { example: '一年来，我认真履行党建第一责任人职责……' })
  text!: string;

  @Uuids('attachmentIds', 20)
  attachmentIds?: string[];
}

export class BallotRequest {
  @UuidField('subjectUserId')
  subjectUserId!: string;

  @OneOfField('grade', REVIEW_GRADES)
  grade!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'comment must be a string' })
  @Length(0, 1000, { message: 'comment must be at most 1000 characters' })
  comment?: string;
}

export class BallotResponse {
  @ApiProperty() voted!: boolean;
  @ApiProperty({ format: 'uuid' }) subjectUserId!: string;
}

export class GradeCountsResponse {
  @ApiProperty() good!: number;
  @ApiProperty() fairly_good!: number;
  @ApiProperty() average!: number;
  @ApiProperty() poor!: number;
}

export class ReviewReportResponse {
  @ApiProperty() text!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) attachmentIds!: string[];
  @ApiProperty({ format: 'date-time' }) reportedAt!: string;
}

export class ReviewSubjectResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: ReviewReportResponse, nullable: true }) report!: ReviewReportResponse | null;
  @ApiProperty({ type: GradeCountsResponse, nullable: true, description: 'After close only' })
  counts!: GradeCountsResponse | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'After close: how many voters voted for this subject (= the sum of counts)',
  })
  voters!: number | null;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty({ enum: REVIEW_GRADES, nullable: true }) grade!: string | null;
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'After close; in no particular order',
  })
  comments!: string[] | null;
}

export class ReviewResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) hostOrgId!: string;
  @ApiProperty() year!: number;
  @ApiProperty({ enum: ['open', 'closed'] }) state!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty() voterCount!: number;
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'The subjects you have voted for (never the grades)',
  })
  myBallots!: string[];
  @ApiProperty({ type: [ReviewSubjectResponse] }) subjects!: ReviewSubjectResponse[];
}

export class ReviewCloseSubjectResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: GradeCountsResponse }) counts!: GradeCountsResponse;
  @ApiProperty() voters!: number;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty({ enum: REVIEW_GRADES, nullable: true }) grade!: string | null;
}

export class ReviewCloseResponse {
  @ApiProperty({ type: [ReviewCloseSubjectResponse] }) subjects!: ReviewCloseSubjectResponse[];
}

export class ReviewQuery extends CommitmentQuery {}

// ---- 考核 ----

export class IndicatorRequest {
  @ApiProperty({ example: 'on_time' })
  @IsString({ message: 'indicators[].code must be a string' })
  @Matches(/^[a-z][a-z0-9_]{0,39}$/, {
    message: 'indicators[].code must be lower_snake_case, e.g. on_time',
  })
  code!: string;

  @TextField('indicators[].name', 100, { example: '按期整改率' })
  name!: string;

  @ApiProperty({ example: 40 })
  @IsInt({ message: 'indicators[].weight must be an integer' })
  @Min(1, { message: 'indicators[].weight must be 1-100' })
  @Max(100, { message: 'indicators[].weight must be 1-100' })
  weight!: number;

  @OneOfField('indicators[].source', INDICATOR_SOURCES)
  source!: (typeof INDICATOR_SOURCES)[number];
}

export class GradeRequest {
  @OneOfField('grades[].grade', ASSESSMENT_GRADES)
  grade!: (typeof ASSESSMENT_GRADES)[number];

  @ApiProperty({ example: 90 })
  @IsNumber({}, { message: 'grades[].minScore must be a number' })
  @Min(0, { message: 'grades[].minScore must be 0-100' })
  @Max(100, { message: 'grades[].minScore must be 0-100' })
  minScore!: number;

  @ApiPropertyOptional({ example: 0.3, description: 'At most this share of the orgs (0..1)' })
  @IsOptional()
  @IsNumber({}, { message: 'grades[].maxShare must be a number' })
  @Min(0, { message: 'grades[].maxShare must be 0-1' })
  @Max(1, { message: 'grades[].maxShare must be 0-1' })
  maxShare?: number;
}

export class AssessmentSchemeRequest {
  @Year()
  year!: number;

  @ApiProperty({ type: [IndicatorRequest] })
  @IsArray({ message: 'indicators must be an array' })
  @ArrayMaxSize(30, { message: 'indicators may list at most 30' })
  @ValidateNested({ each: true })
  @Type(() => IndicatorRequest)
  indicators!: IndicatorRequest[];

  @ApiProperty({ type: [GradeRequest] })
  @IsArray({ message: 'grades must be an array' })
  @ArrayMaxSize(4, { message: 'grades may list at most 4' })
  @ValidateNested({ each: true })
  @Type(() => GradeRequest)
  grades!: GradeRequest[];
}

export class GradeResponse {
  @ApiProperty({ enum: ASSESSMENT_GRADES }) grade!: string;
  @ApiProperty() minScore!: number;
  @ApiProperty({ type: Number, nullable: true }) maxShare?: number | null;
}

export class AssessmentSchemeResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() year!: number;
  @ApiProperty({ type: [IndicatorRequest] }) indicators!: IndicatorRequest[];
  @ApiProperty({ type: [GradeResponse] }) grades!: GradeResponse[];
}

export class SchemeQuery {
  @ApiProperty({ example: 2026 })
  @Type(() => Number)
  @IsInt({ message: 'year must be an integer, e.g. 2026' })
  @Min(YEAR.min, { message: `year must be ${YEAR.min}-${YEAR.max}` })
  @Max(YEAR.max, { message: `year must be ${YEAR.min}-${YEAR.max}` })
  year!: number;
}

export class ManualValueRequest {
  @Year()
  year!: number;

  @ApiProperty({ format: 'uuid', description: 'The assessed (child) org' })
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId!: string;

  @TextField('code', 40, { example: 'party_life' })
  code!: string;

  @ApiProperty({ example: 85, description: 'The score 0..100' })
  @IsNumber({}, { message: 'value must be a number' })
  @Min(0, { message: 'value must be 0-100' })
  @Max(100, { message: 'value must be 0-100' })
  value!: number;

  @TextField('reason', 2000, { example: '组织生活会记录完整' })
  reason!: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Evidence (at least one file)' })
  @IsArray({ message: 'attachmentIds must be an array of UUIDs' })
  @ArrayMinSize(1, { message: 'attachmentIds must list at least one evidence file' })
  @ArrayMaxSize(20, { message: 'attachmentIds may list at most 20' })
  @IsUUID('all', { each: true, message: 'attachmentIds must hold UUIDs' })
  attachmentIds!: string[];
}

export class ComputeAssessmentRequest {
  @ApiProperty({
    format: 'uuid',
    description: 'The assessing committee; its children are assessed',
  })
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId!: string;

  @Year()
  year!: number;
}

export class AppealRequest {
  @UuidField('orgId')
  orgId!: string;

  @TextField('reason', 4000, { example: '按期整改率统计遗漏了已销号的两项措施' })
  reason!: string;
}

export class AppealDecisionRequest {
  @ApiProperty()
  @IsBoolean({ message: 'upheld must be true or false' })
  upheld!: boolean;

  @TextField('reason', 4000, { example: '经复核，统计无误' })
  reason!: string;

  @OneOfField('grade', ASSESSMENT_GRADES, {
    optional: true,
    description: 'The new grade, when upheld',
  })
  grade?: (typeof ASSESSMENT_GRADES)[number];
}

export class IndicatorValueResponse {
  @ApiProperty() code!: string;
  @ApiProperty({ enum: INDICATOR_SOURCES }) source!: string;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
  @ApiProperty() score!: number;
}

export class AssessmentRowResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({ type: [IndicatorValueResponse] }) indicators!: IndicatorValueResponse[];
  @ApiProperty() total!: number;
  @ApiProperty({ enum: ASSESSMENT_GRADES }) grade!: string;
}

export class AppealResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'uuid' }) filedBy!: string;
  @ApiProperty({ format: 'date-time' }) filedAt!: string;
  @ApiProperty({ enum: ['open', 'upheld', 'rejected'] }) state!: string;
  @ApiProperty({ type: String, nullable: true }) decisionReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
}

export class AssessmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() year!: number;
  @ApiProperty({ enum: ['computed', 'confirmed'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) computedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confirmedAt!: string | null;
  @ApiProperty({ type: [AssessmentRowResponse] }) rows!: AssessmentRowResponse[];
  @ApiProperty({ type: [AppealResponse] }) appeals!: AppealResponse[];
}

export class DrillDownResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() code!: string;
  @ApiProperty({ enum: INDICATOR_SOURCES }) source!: string;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
  @ApiProperty() score!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'The rows behind the value: measures (taskId, measure, dueAt, closedAt, onTime, overdueDays), cases, or commitment items',
  })
  items!: unknown[];
}

// ---- 季度进展反馈: measures and commitment items in one submission ----

export class FeedbackMeasureRequest {
  @UuidField('measures[].taskId')
  taskId!: string;

  @TextField('measures[].content', 10000, { example: '已召开支委会研究整改方案' })
  content!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt({ message: 'measures[].percent must be a whole number from 0 to 100' })
  @Min(0, { message: 'measures[].percent must be at least 0' })
  @Max(100, { message: 'measures[].percent must be at most 100' })
  percent?: number;

  @Uuids('measures[].attachmentIds', 20)
  attachmentIds?: string[];
}

export class FeedbackCommitmentItemRequest {
  @UuidField('commitmentItems[].commitmentId')
  commitmentId!: string;

  @UuidField('commitmentItems[].itemId')
  itemId!: string;

  @TextField('commitmentItems[].content', 4000, { example: '本季度已召开组织生活会 3 次' })
  content!: string;

  @Uuids('commitmentItems[].attachmentIds', 20)
  attachmentIds?: string[];
}

export class QuarterlyFeedbackRequest {
  @ApiPropertyOptional({ type: [FeedbackMeasureRequest] })
  @IsOptional()
  @IsArray({ message: 'measures must be an array' })
  @ArrayMaxSize(200, { message: 'measures may list at most 200' })
  @ValidateNested({ each: true })
  @Type(() => FeedbackMeasureRequest)
  measures?: FeedbackMeasureRequest[];

  @ApiPropertyOptional({ type: [FeedbackCommitmentItemRequest] })
  @IsOptional()
  @IsArray({ message: 'commitmentItems must be an array' })
  @ArrayMaxSize(200, { message: 'commitmentItems may list at most 200' })
  @ValidateNested({ each: true })
  @Type(() => FeedbackCommitmentItemRequest)
  commitmentItems?: FeedbackCommitmentItemRequest[];
}

export class QuarterlyFeedbackEntryResponse {
  @ApiProperty({ enum: ['measure', 'commitment_item'] }) kind!: string;
  @ApiProperty({ format: 'uuid', description: 'The taskId or the itemId' }) id!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: '200 when recorded, else the status the single call would answer' })
  status!: number;
  @ApiPropertyOptional({ description: 'The error code the single call would answer' })
  code?: string;
  @ApiPropertyOptional() message?: string;
}

export class QuarterlyFeedbackResponse {
  @ApiProperty({ description: 'How many entries were recorded' }) recorded!: number;
  @ApiProperty({ type: [QuarterlyFeedbackEntryResponse] })
  results!: QuarterlyFeedbackEntryResponse[];
}

export class AssessmentQuery {
  @ApiPropertyOptional({ example: 2026 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be an integer, e.g. 2026' })
  @Min(YEAR.min, { message: `year must be ${YEAR.min}-${YEAR.max}` })
  @Max(YEAR.max, { message: `year must be ${YEAR.min}-${YEAR.max}` })
  year?: number;

  @UuidField('orgId', { optional: true, description: 'The assessing (host) committee' })
  orgId?: string;
}

export class AssessmentSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The assessing committee' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty() year!: number;
  @ApiProperty({ enum: ['computed', 'confirmed'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) computedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confirmedAt!: string | null;
  @ApiProperty({ description: 'Rows you may see (a branch: its own)' }) rows!: number;
  @ApiProperty({ type: GradeCountsResponse, description: 'Grades among the rows you may see' })
  grades!: GradeCountsResponse;
}
