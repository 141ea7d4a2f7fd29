import { z } from 'zod';

export const callDirectionSchema = z.enum(['outgoing', 'incoming']);
export const callOutcomeSchema = z.enum(['answered', 'missed', 'declined', 'cancelled', 'failed', 'busy']);
export type CallDirection = z.infer<typeof callDirectionSchema>;
export type CallOutcome = z.infer<typeof callOutcomeSchema>;

/** One line of the call history; survives restarts. */
export const callRecordSchema = z
  .object({
    id: z.string().min(1).max(128),
    direction: callDirectionSchema,
    /** The remote party: E.164 when it is a phone number, otherwise the SIP user (an extension). */
    number: z.string().min(1).max(64),
    /** ISO 8601 start time (when the call was placed or began ringing). */
    startedAt: z.string().datetime(),
    /** Seconds of conversation; 0 when never answered. */
    durationSeconds: z.number().int().min(0).max(7 * 24 * 3600),
    outcome: callOutcomeSchema,
    /**
     * The SIP Call-ID, so the manager's charge for a paid call can be found: the proxy bills each call as
     * `<Call-ID>~<id>` (deploy/kamailio/kamailio.cfg), the reference of the call's activity item.
     */
    sipCallId: z.string().min(1).max(255).optional(),
  })
  .strict();
export type CallRecord = z.infer<typeof callRecordSchema>;

/** The most records the history keeps; older ones are dropped first. */
export const callHistoryLimit = 500;
