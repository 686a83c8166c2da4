import { UserError } from '@herd/core';
import { defineTool } from '@herd/tools';
import { z } from 'zod';

/** A ticket in the host application's tracker, which the model cannot see on its own. */
export interface Ticket {
  title: string;
  body: string;
  labels: string[];
}

/**
 * A custom tool: the actor calls `lookup_ticket` with a ticket id and gets the ticket from the host application.
 * The zod schema validates the model's arguments before `run` sees them (a bad id is reported back to the model).
 */
export function createLookupTicketTool(options: { tickets: ReadonlyMap<string, Ticket> }) {
  return defineTool({
    name: 'lookup_ticket',
    description: 'Look up a ticket of the project tracker by its id (e.g. HERD-7): title, body and labels.',
    input: z.object({
      id: z
        .string()
        .regex(/^[A-Z]+-\d+$/)
        .describe('Ticket id, e.g. HERD-7.'),
    }),
    access: 'read',
    examples: [{ id: 'HERD-7' }],
    run: ({ id }) => {
      const ticket = options.tickets.get(id);
      if (!ticket) {
        throw new UserError({
          code: 'ticket_not_found',
          message: `There is no ticket ${id}; known tickets: ${[...options.tickets.keys()].join(', ')}.`,
        });
      }
      return {
        content: `${id}: ${ticket.title}\nlabels: ${ticket.labels.join(', ')}\n\n${ticket.body}`,
        data: ticket,
      };
    },
  });
}
