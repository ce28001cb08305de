import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { MeResponse } from '../users/users.dto';

export class LoginRequest {
  @ApiProperty({ example: 'admin' })
  @IsString({ message: 'username must be a string' })
  @Length(1, 64, { message: 'username must be 1-64 characters' })
  username!: string;

  @ApiProperty({ example: 'a long passphrase' })
  @IsString({ message: 'password must be a string' })
  @Length(1, 256, { message: 'password must be 1-256 characters' })
  password!: string;
}

export class LoginResponse {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: MeResponse })
  user!: MeResponse;
}
