import { UserError } from '@sapphire/framework';

/**
 * The identifier of a user's mistake, or undefined for anything that is the bot's fault.
 * A UserError (bad option, unknown member, opted-out target) and every precondition denial
 * (PreconditionError extends UserError) is the user's to fix: it gets an ephemeral answer and a
 * counter, never an error log line, a Diagnostics post or a place in the error rate.
 */
export function userMistakeOf(error: unknown): string | undefined {
	if (!(error instanceof UserError)) return undefined;
	return error.identifier || 'UserError';
}
