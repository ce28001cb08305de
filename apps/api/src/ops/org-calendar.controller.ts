import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { CalendarService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import {
  CalendarOverrideList,
  CalendarOverridesQuery,
  CalendarOverridesRequest,
  CalendarOverridesWritten,
} from './calendar.dto';

/**
 * An organisation's own holidays and adjusted working days (e.g. a 民族自治地方's), applying to
 * its subtree on top of the national calendar; the nearest organisation's entry wins.
 */
@ApiTags('working-day calendar (工作日 / 节假日)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 404, description: 'No such organisation, or outside your scope' })
@Controller('api/v1/orgs/:id/calendar-overrides')
export class OrgCalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get()
  @ApiOperation({ summary: "The organisation's own overrides (not those of the orgs above it)" })
  @ApiResponse({ status: 200, type: CalendarOverrideList })
  async list(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Query() q: CalendarOverridesQuery,
  ): Promise<CalendarOverrideList> {
    const items = await this.calendar.listForOrg(actor, id, q.year);
    return { items, total: items.length };
  }

  @Put()
  @ApiOperation({
    summary:
      "Add or replace the organisation's own overrides (its admins, or the system administrator); deadlines in its subtree are planned again",
  })
  @ApiBody({ type: CalendarOverridesRequest })
  @ApiResponse({ status: 200, type: CalendarOverridesWritten })
  @ApiResponse({ status: 400, description: '`errors` names each bad field, e.g. entries[2].date' })
  @ApiResponse({ status: 403, description: 'Needs the admin role in this org or above it' })
  put(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: Record<string, unknown>,
  ): Promise<CalendarOverridesWritten> {
    return this.calendar.putForOrg(actor, id, body);
  }

  @Delete(':date')
  @HttpCode(204)
  @ApiOperation({ summary: "Remove the organisation's override of one date" })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiResponse({ status: 403, description: 'Needs the admin role in this org or above it' })
  async remove(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('date') date: string,
  ): Promise<void> {
    await this.calendar.removeForOrg(actor, id, date);
  }
}
