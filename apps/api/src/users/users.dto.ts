import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches } from 'class-validator';
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

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ description: 'The bootstrap administrator' }) systemAdmin!: boolean;
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
}
