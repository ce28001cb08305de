import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';

/** POST /tasks/{id}/talks; the service also refuses a date in the future and unknown users. */
export class TalkRequest {
  @ApiProperty({ example: '2026-12-01', description: '约谈日期 (a local date, not in the future)' })
  @IsString({ message: 'heldOn：须为约谈日期，格式 YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'heldOn：须为约谈日期，格式 YYYY-MM-DD' })
  heldOn!: string;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Who took part (1–50 users)' })
  @IsArray({ message: 'participantUserIds：须为用户 id 的数组' })
  @ArrayMinSize(1, { message: 'participantUserIds：至少一名参加约谈的用户' })
  @ArrayMaxSize(50, { message: 'participantUserIds：至多 50 人' })
  @IsUUID('all', { each: true, message: 'participantUserIds：每一项须为用户 id（uuid）' })
  participantUserIds!: string[];
  @ApiProperty({ example: '约谈分管领导，要求十日内完成整改', description: '约谈记录 (1–4000)' })
  @IsString({ message: 'notes：须填写约谈记录' })
  @Length(1, 4000, { message: 'notes：约谈记录须为 1 至 4000 字' })
  notes!: string;
}

export class TalkResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty({ example: '2026-12-01' }) heldOn!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) participantUserIds!: string[];
  @ApiProperty() notes!: string;
  @ApiProperty({ format: 'uuid' }) recordedBy!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class TalkStatusResponse {
  @ApiProperty({
    enum: ['none', 'due', 'overdue', 'held'],
    description:
      'none: no 通报 step yet; due: a 约谈 is owed; overdue: not recorded within 10 working days of the step; held: recorded since the step',
  })
  state!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) stepAt!: string | null;
}
