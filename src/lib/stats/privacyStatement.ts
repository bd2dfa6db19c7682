/**
 * What `/guildstats privacy` (and the README) says is stored. Every column of every statistics
 * table must be explained in COLUMN_MEANINGS (a test compares it with the live schema), so the
 * statement cannot silently drift from the code.
 */
export const COLUMN_MEANINGS: Record<string, string> = {
	guild_id: 'server id',
	channel_id: 'channel id',
	thread_id: 'thread id (messages in threads)',
	user_id: 'member id',
	bot: 'whether the member is a bot',
	hour: 'hour (UTC)',
	day: 'day (UTC)',
	local_day: "day in the server's timezone",
	messages: 'number of messages sent',
	given: 'number of reactions added',
	received: "number of reactions on the member's messages",
	added: 'number of reactions added',
	reactions: 'number of reactions added',
	reactions_given: 'number of reactions added',
	reactions_received: "number of reactions on the member's messages",
	reactions_added: 'number of reactions added',
	seconds: 'seconds in voice',
	voice_seconds: 'seconds in voice',
	muted_seconds: 'seconds in voice while muted',
	deafened_seconds: 'seconds in voice while deafened',
	streaming_seconds: 'seconds in voice while streaming',
	voice_muted_seconds: 'seconds in voice while muted',
	voice_deafened_seconds: 'seconds in voice while deafened',
	voice_streaming_seconds: 'seconds in voice while streaming',
	sessions: 'number of voice sessions',
	voice_sessions: 'number of voice sessions',
	joins: 'number of members who joined',
	leaves: 'number of members who left',
	active_members: 'number of active members',
	last_at: 'time of the latest activity',
	voice_last_at: 'time of the latest voice activity',
	command: 'slash command name',
	ok: 'number of successful command runs',
	failed: 'number of failed command runs',
	duration_ms: 'total command run time',
	commands: 'number of command runs',
	commands_failed: 'number of failed command runs',
	at: 'time of the change',
	seq: 'order in which statistics were written',
	mode: 'opt-out choice (hide or delete)',
	kind: 'ignored channel or category',
	timezone: "the server's timezone",
	member_reports: "who may see members' reports in the server",
	delete_at: 'when a left server is deleted',
	key: 'internal setting name',
	value: 'internal setting value',
	// Live statistics messages and counter channels (set up by admins; no member data).
	id: 'live message id (random)',
	message_id: 'id of the message the bot keeps editing',
	report: 'which report a live message shows',
	range: 'time range of a live message',
	every_minutes: 'minutes between live message updates',
	next_at: 'time of the next live message update',
	created_at: 'when a live message or counter was set up',
	stopped: 'why a live message or counter stopped',
	template: "a counter channel's name template",
	renames: 'times of the latest counter channel renames'
};

export interface PrivacyStatementOptions {
	hourlyDays: number;
	/** Per-member hourly counts (STATS_MEMBER_HOURLY_DAYS, capped at hourlyDays); hourlyDays when absent. */
	memberHourlyDays?: number;
	dailyDays: number;
	/** Days a server's data is kept after the bot leaves it. */
	graceDays: number;
}

export interface PrivacyStatement {
	title: string;
	/** Embed-ready sections (each value well under Discord's 1024-character field limit). */
	sections: { name: string; value: string }[];
}

const memberHourly = (options: PrivacyStatementOptions) => Math.min(options.memberHourlyDays ?? options.hourlyDays, options.hourlyDays);

export function privacyStatement(options: PrivacyStatementOptions): PrivacyStatement {
	return {
		title: 'Server statistics: what is stored and how to opt out',
		sections: [
			{
				name: 'What is stored',
				value: [
					'Counts only. Never message content, attachments, embeds, names or nicknames.',
					'Per member, channel and hour (and day): messages sent, reactions added and received, seconds in voice (and of those, muted, deafened, streaming), voice sessions.',
					'Per member: time of the latest activity and all-time totals of the same counts.',
					'Per server and hour: members who joined and left (counts, no ids), slash command runs (name, outcome, duration; no ids).'
				].join('\n')
			},
			{
				name: 'How long',
				value: [
					memberHourly(options) < options.hourlyDays
						? `Hourly counts: ${memberHourly(options)} days per member, ${options.hourlyDays} days per server and channel. Daily counts: ${options.dailyDays} days.`
						: `Hourly counts: ${options.hourlyDays} days. Daily counts: ${options.dailyDays} days.`,
					`When the bot leaves a server, the server's data is deleted after ${options.graceDays} days unless it comes back.`
				].join('\n')
			},
			{
				name: 'Opting out',
				value: [
					'`/guildstats ignoreme` and choose:',
					'• hide: nothing new about you is recorded and you are left out of every report; what was recorded before is kept, hidden.',
					'• delete: the same, and every statistic about you is deleted at once, in every server. Only the opt-out itself is kept (your id, the choice and when), so it can be honoured.',
					'• optin: counted again from then on (after hide, your earlier counts show again).'
				].join('\n')
			},
			{
				name: 'Server admins',
				value:
					'Admins (Manage Server) can stop capture in a channel or a whole category, disable statistics for the server, and delete all of its statistics. Live messages and counter channels they set up store only the channel, the report or name template and the update schedule.'
			}
		]
	};
}
