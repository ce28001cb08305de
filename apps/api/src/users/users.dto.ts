import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { ROLES, type Role } from '#duban/domain';

export class CreateUserRequest {
  @ApiProperty({ example: 'zhang.wei', pattern: '^[A-Za-z0-9_.@-]{3,64}$' })
  @IsString({ message: 'username must be a string' })
  @Matches(/^[A-Za-z0-9_.@-]{3,64}$/, {
    message: 'username must be 3-64 letters, digits or _ . @ -',
  })
  username!: string;

  @ApiProperty({ example: '张伟' })
  @IsString({ message: 'displayName must be a string' })
  @Length(1, 100, { message: 'displayName must be 1-100 characters' })
  displayName!: string;

  @ApiProperty({ minLength: 12, description: 'At least 12 characters' })
  @IsString({ message: 'password must be a string' })
  @Length(12, 256, { message: 'password must be 12-256 characters' })
  password!: string;

  @ApiPropertyOptional({ example: 'zhang.wei@example.org' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string;

  @ApiPropertyOptional({ example: '13800000000' })
  @IsOptional()
  @Matches(/^\+?[0-9 -]{5,20}$/, {
    message: 'phone must be 5-20 digits, optionally with + - or spaces',
  })
  phone?: string;
}

export class UpdateUserRequest {
  @ApiPropertyOptional({ example: '张伟' })
  @IsOptional()
  @IsString({ message: 'displayName must be a string' })
  @Length(1, 100, { message: 'displayName must be 1-100 characters' })
  displayName?: string;

  @ApiPropertyOptional({ example: 'zhang.wei@example.org', nullable: true, type: String })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsEmail({}, { message: 'email must be an e-mail address (or null to clear it)' })
  email?: string | null;

  @ApiPropertyOptional({ example: '13800000000', nullable: true, type: String })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @Matches(/^\+?[0-9 -]{5,20}$/, {
    message: 'phone must be 5-20 digits, optionally with + - or spaces (or null to clear it)',
  })
  phone?: string | null;

  @ApiPropertyOptional({
    description: 'true: the account cannot log in and every token of it stops working at once',
  })
  @IsOptional()
  @IsBoolean({ message: 'disabled must be true or false' })
  disabled?: boolean;
}

export class SetPasswordRequest {
  @ApiProperty({ minLength: 12, description: 'At least 12 characters' })
  @IsString({ message: 'password must be a string' })
  @Length(12, 256, { message: 'password must be 12-256 characters' })
  password!: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ description: 'The bootstrap administrator' }) systemAdmin!: boolean;
  @ApiProperty({ description: 'A disabled account cannot log in' }) disabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class RoleOfUser {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'null for the system administrator',
  })
  orgId!: string | null;
  @ApiProperty({ type: String, nullable: true }) orgName!: string | null;
  @ApiProperty({ enum: ROLES }) role!: Role;
}

export class MeResponse extends UserResponse {
  @ApiProperty({ type: [RoleOfUser] }) roles!: RoleOfUser[];
  @ApiProperty({
    format: 'date-time',
    description:
      "The service's clock when it answered: forms check dates (no deadline before today) against it, as the server will",
  })
  now!: string;
}
