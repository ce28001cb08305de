import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { CalendarService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import {
  CalendarInfoQuery,
  CalendarInfoResponse,
  CalendarOverrideList,
  CalendarOverridesQuery,
  CalendarOverridesRequest,
  CalendarOverridesWritten,
} from './calendar.dto';

@ApiTags('working-day calendar (工作日 / 节假日)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get('overrides')
  @ApiOperation({
    summary: 'Overrides of the holiday data (for years the package does not know yet, or fixes)',
  })
  @ApiResponse({ status: 200, type: CalendarOverrideList })
  @ApiResponse({ status: 400, description: 'year is invalid' })
  async list(@Query() q: CalendarOverridesQuery): Promise<CalendarOverrideList> {
    const items = await this.calendar.list(q.year);
    return { items, total: items.length };
  }

  @Put('overrides')
  @ApiOperation({
    summary:
      'Add or replace the national overrides (system administrator). Pending reminders and escalation steps are planned again on the new calendar',
  })
  @ApiBody({ type: CalendarOverridesRequest })
  @ApiResponse({ status: 200, type: CalendarOverridesWritten })
  @ApiResponse({ status: 400, description: '`errors` names each bad field, e.g. entries[2].date' })
  @ApiResponse({
    status: 403,
    description: 'Only the system administrator (org admins: /orgs/{id}/calendar-overrides)',
  })
  put(
    @CurrentActor() actor: Actor,
    @Body() body: Record<string, unknown>,
  ): Promise<CalendarOverridesWritten> {
    return this.calendar.put(actor, body);
  }

  @Delete('overrides/:date')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the national override of one date (system administrator)' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiResponse({ status: 400, description: 'date is not YYYY-MM-DD' })
  @ApiResponse({
    status: 403,
    description: 'Only the system administrator (org admins: /orgs/{id}/calendar-overrides)',
  })
  @ApiResponse({ status: 404, description: 'No override for that date' })
  async remove(@CurrentActor() actor: Actor, @Param('date') date: string): Promise<void> {
    await this.calendar.remove(actor, date);
  }

  @Get('info')
  @ApiOperation({
    summary:
      'Each day from `from` to `to`: working or not, and whether the calendar knows it (for date pickers)',
  })
  @ApiResponse({ status: 200, type: CalendarInfoResponse })
  @ApiResponse({ status: 400, description: 'from / to invalid, reversed or too far apart' })
  @ApiResponse({ status: 404, description: 'orgId: no such organisation in your scope' })
  async info(
    @CurrentActor() actor: Actor,
    @Query() q: CalendarInfoQuery,
  ): Promise<CalendarInfoResponse> {
    if (q.orgId) return this.calendar.infoForOrg(actor, q.orgId, q.from, q.to);
    return this.calendar.info(q.from, q.to);
  }
}
