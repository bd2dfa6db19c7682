/**
 * Sapphire reports a subcommand's failure (ChatInputSubcommandError) separately from the command's
 * finish (ChatInputCommandFinish, which says "success" because the Subcommand router caught the
 * error). This joins the two by interaction id so tracking sees the real outcome. Entries live
 * from error to finish — milliseconds — and the map is capped in case a finish never comes.
 */
export interface CommandFailure {
	type: string;
	message: string;
	/** The user's mistake (type = its identifier), answered ephemerally: counted, not a failure. */
	userMistake?: boolean;
}

export class CommandOutcomes {
	private readonly failures = new Map<string, CommandFailure>();

	public constructor(private readonly cap = 1000) {}

	public markFailed(interactionId: string, error: unknown): void {
		if (this.failures.size >= this.cap) this.failures.delete(this.failures.keys().next().value!);
		this.failures.set(interactionId, describeError(error));
	}

	public markUserMistake(interactionId: string, identifier: string, message: string): void {
		if (this.failures.size >= this.cap) this.failures.delete(this.failures.keys().next().value!);
		this.failures.set(interactionId, { type: identifier, message: message.slice(0, 300), userMistake: true });
	}

	/** Returns and forgets the failure recorded for this interaction, if any. */
	public take(interactionId: string): CommandFailure | undefined {
		const failure = this.failures.get(interactionId);
		this.failures.delete(interactionId);
		return failure;
	}

	public get size(): number {
		return this.failures.size;
	}
}

export function describeError(error: unknown): CommandFailure {
	if (error instanceof Error) {
		const identifier = (error as { identifier?: unknown }).identifier;
		return { type: typeof identifier === 'string' ? identifier : error.name || 'Error', message: error.message.slice(0, 300) };
	}
	return { type: typeof error, message: String(error).slice(0, 300) };
}
