import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import {
  CHANNELS,
  type Channel,
  DELIVERY_STATES,
  type DeliveryState,
  ROBOT_FORMATS,
  type RobotFormat,
} from '#duban/notifications';
import { PaginationQuery } from '../http/pagination.dto';
import { QueryBoolean } from '../http/query-transforms';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// --- inbox -----------------------------------------------------------------------------------

export class NotificationQuery extends PaginationQuery {
  @ApiPropertyOptional({ type: Boolean, description: 'true: only notices not read yet' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

export class NotificationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    example: 'escalation',
    description:
      'reminder | escalation | quarterly_report_due | quarterly_report_late | accountability_opened | circular_issued | task_assigned | task_returned | task_submitted | task_verified | extension_requested | extension_decided | case_opened_subject | case_decided',
  })
  kind!: string;
  @ApiProperty({ example: '【督办】第一支部整改任务逾期未完成' }) title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The facts the notice was made from (task ids, due dates…), for links',
  })
  data!: Record<string, unknown>;
  @ApiProperty({ description: 'Skipped quiet hours and the digest (督办 and above)' })
  urgent!: boolean;
  @ApiProperty({ description: 'Re-sent until read (催读)' }) requiresAck!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Received as the deputy of this person (请假委托)',
  })
  viaDelegationFrom!: string | null;
  @ApiProperty({ description: 'How often it was re-sent because it was not read' })
  chaseCount!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastChasedAt!: string | null;
}

export class NotificationPage {
  @ApiProperty({ type: [NotificationResponse] }) items!: NotificationResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class ReadAllResponse {
  @ApiProperty({ description: 'Notices marked read now' }) updated!: number;
  @ApiProperty({
    description: 'Unread notices that need acknowledgement one by one (left unread)',
  })
  awaitingAcknowledgement!: number;
}

// --- settings --------------------------------------------------------------------------------

export class QuietHoursDto {
  @ApiProperty({ example: '22:00', description: 'Local time HH:MM' })
  @IsString({ message: 'start must be a local time HH:MM, e.g. 22:00' })
  @Matches(HH_MM, { message: 'start must be a local time HH:MM, e.g. 22:00' })
  start!: string;

  @ApiProperty({ example: '07:00', description: 'Local time HH:MM; before start means overnight' })
  @IsString({ message: 'end must be a local time HH:MM, e.g. 07:00' })
  @Matches(HH_MM, { message: 'end must be a local time HH:MM, e.g. 07:00' })
  end!: string;
}

export class NotificationSettingsRequest {
  @ApiProperty({
    enum: CHANNELS,
    isArray: true,
    example: ['inbox', 'email'],
    description: 'inbox is always on and is added if missing',
  })
  @IsArray({ message: 'channels must be an array such as ["inbox", "email"]' })
  @ArrayMaxSize(CHANNELS.length, { message: `channels may list at most ${CHANNELS.length} values` })
  @IsIn(CHANNELS, {
    each: true,
    message: `channels may only contain ${CHANNELS.join(', ')}`,
  })
  channels!: Channel[];

  @ApiProperty({
    description: 'One daily e-mail instead of single non-urgent ones (每日汇总)',
  })
  @IsBoolean({ message: 'digest must be true or false' })
  digest!: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '08:00',
    description: 'Local time HH:MM of your daily digest; null or absent for the default',
  })
  @IsOptional()
  @IsString({
    message: 'digestTime 须为本地时间 HH:MM，如 08:00 — digestTime must be a local time HH:MM',
  })
  @Matches(HH_MM, {
    message: 'digestTime 须为本地时间 HH:MM，如 08:00 — digestTime must be a local time HH:MM',
  })
  digestTime?: string | null;

  @ApiPropertyOptional({
    type: QuietHoursDto,
    nullable: true,
    description: 'No e-mail in this window (免打扰), except urgent notices; null for none',
  })
  @IsOptional()
  @IsObject({ message: 'quietHours must be an object {start, end} or null' })
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Asia/Shanghai',
    description: 'IANA zone for quiet hours and the digest; null follows your organisation',
  })
  @IsOptional()
  @IsString({ message: 'timeZone must be an IANA time zone such as Asia/Shanghai' })
  @Length(1, 64, { message: 'timeZone must be an IANA time zone such as Asia/Shanghai' })
  timeZone?: string | null;
}

export class QuietHoursResponse {
  @ApiProperty({ example: '22:00' }) start!: string;
  @ApiProperty({ example: '07:00' }) end!: string;
}

export class NotificationSettingsResponse {
  @ApiProperty({ enum: CHANNELS, isArray: true }) channels!: Channel[];
  @ApiProperty({ description: 'On unless you turned it off' }) digest!: boolean;
  @ApiProperty({ example: '08:00', description: 'Local time of your daily digest, in effect' })
  digestTime!: string;
  @ApiProperty({ description: 'true when digestTime is the installation default' })
  digestTimeIsDefault!: boolean;
  @ApiProperty({ type: QuietHoursResponse, nullable: true }) quietHours!: QuietHoursResponse | null;
  @ApiProperty({ example: 'Asia/Shanghai', description: 'The zone in effect' }) timeZone!: string;
  @ApiProperty({ description: 'true when timeZone follows your organisation' })
  timeZoneFromOrg!: boolean;
}

// --- delegations -----------------------------------------------------------------------------

export class CreateDelegationRequest {
  @ApiProperty({
    format: 'uuid',
    description: '受托人: holds a role in one of your organisations or above it',
  })
  @IsUUID('all', { message: 'deputyId must be a UUID' })
  deputyId!: string;

  @ApiProperty({ example: '2026-11-10', description: 'First day of the absence (your zone)' })
  @Matches(DATE, { message: 'startsOn must be a date as YYYY-MM-DD' })
  startsOn!: string;

  @ApiProperty({ example: '2026-11-14', description: 'Last day of the absence, inclusive' })
  @Matches(DATE, { message: 'endsOn must be a date as YYYY-MM-DD' })
  endsOn!: string;
}

export class DelegationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: '委托人 (the absent person)' }) userId!: string;
  @ApiProperty() userName!: string;
  @ApiProperty({ format: 'uuid', description: '受托人 (the deputy)' }) deputyId!: string;
  @ApiProperty() deputyName!: string;
  @ApiProperty({ example: '2026-11-10' }) startsOn!: string;
  @ApiProperty({ example: '2026-11-14' }) endsOn!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ enum: ['granted', 'received'] }) direction!: 'granted' | 'received';
}

// --- deliveries (admin) ----------------------------------------------------------------------

export class DeliveryQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATES, description: 'dead = the dead-letter list' })
  @IsOptional()
  @IsIn(DELIVERY_STATES, { message: `state must be one of ${DELIVERY_STATES.join(', ')}` })
  state?: DeliveryState;

  @ApiPropertyOptional({ enum: ['email', 'webhook'] })
  @IsOptional()
  @IsIn(['email', 'webhook'], { message: 'channel must be email or webhook' })
  channel?: 'email' | 'webhook';
}

export class DeliveryAttemptResponse {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['sent', 'failed'] }) outcome!: 'sent' | 'failed';
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class DeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['email', 'webhook'] }) channel!: 'email' | 'webhook';
  @ApiProperty({ enum: DELIVERY_STATES }) state!: DeliveryState;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'E-mail recipient' })
  userId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Webhook org' })
  orgId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) notificationId!: string | null;
  @ApiProperty({ type: String, nullable: true }) kind!: string | null;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ description: 'The daily digest e-mail' }) isDigest!: boolean;
  @ApiProperty({ description: '0 = the notice itself, n = its n-th chase' }) chase!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) digestDueAt!: string | null;
  @ApiProperty({ type: [DeliveryAttemptResponse], description: 'The delivery log' })
  log!: DeliveryAttemptResponse[];
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryResponse] }) items!: DeliveryResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

// --- org webhooks ----------------------------------------------------------------------------

export class OrgWebhookRequest {
  @ApiProperty({
    example: 'https://oapi.dingtalk.com/robot/send?access_token=…',
    description: 'http(s) endpoint of the group robot',
  })
  @IsString({ message: 'url must be an http(s) URL' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an absolute http(s) URL, e.g. https://oapi.example.com/robot' },
  )
  @Length(1, 2000, { message: 'url must be at most 2000 characters' })
  url!: string;

  @ApiPropertyOptional({
    minLength: 16,
    description:
      'Signs every post. duban: X-Duban-Signature = sha256=HMAC(secret, timestamp.body); ' +
      'dingtalk: the robot’s 加签 secret (SEC…), signing timestamp+sign in the query. ' +
      'Required except for wecom.',
  })
  @IsOptional()
  @IsString({ message: 'secret must be a string of 16-200 characters' })
  @Length(16, 200, { message: 'secret must be 16-200 characters' })
  secret?: string;

  @ApiPropertyOptional({
    enum: ROBOT_FORMATS,
    default: 'duban',
    description:
      'duban: signed JSON; dingtalk: DingTalk group robot markdown; wecom: WeCom group robot markdown (key in the URL)',
  })
  @IsOptional()
  @IsIn(ROBOT_FORMATS, { message: 'format must be one of duban, dingtalk, wecom' })
  format?: RobotFormat;
}

export class OrgWebhookResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: ROBOT_FORMATS }) format!: RobotFormat;
  @ApiProperty({ description: 'The secret is never shown again' }) hasSecret!: boolean;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
