import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiscordSandbox } from '../../sandbox/index.js';
import { decodeReportMessage, type DecodedEvent } from '#lib/reporting/decodeReportMessage.js';

export interface ScheduledReportsContext {
	sandbox: DiscordSandbox;
	channels: { analytics: string; performance: string };
	out: string;
	say: (line: string) => void;
	/** How long to wait for each report the scheduler has not posted yet. */
	timeoutMs: number;
	/** Which scheduler ran the tasks, for the line shown. */
	scheduler: string;
}

const MESSAGE_ROUTE = 'POST /channels/:id/messages';

interface FoundReport {
	event: DecodedEvent;
	/** The message that carried it: what the channel shows. */
	embeds: { title?: string; description?: string }[];
	files: string[];
}

function firstEvent(sandbox: DiscordSandbox, channelId: string, event: string, accept: (embeds: FoundReport['embeds']) => boolean = () => true): FoundReport | undefined {
	for (const request of sandbox.requests) {
		if (request.route !== MESSAGE_ROUTE || request.status !== 200 || request.path !== `/channels/${channelId}/messages`) continue;
		const found = decodeReportMessage(request.body as never, request.files).find((decoded) => decoded.event === event);
		if (found && accept((request.body as { embeds?: FoundReport['embeds'] }).embeds ?? [])) return { event: found, embeds: (request.body as { embeds?: FoundReport['embeds'] }).embeds ?? [], files: request.files.map((file) => file.name) };
	}
	return undefined;
}

/**
 * What the scheduled tasks produced during the demo (one process: the embedded scheduler, no Redis):
 * the first health report in Performance and the first analytics report in Analytics, shown in a
 * line each and saved to scheduled-reports.json. Fails the demo if either never came.
 */
export async function showScheduledReports({ sandbox, channels, out, say, timeoutMs, scheduler }: ScheduledReportsContext): Promise<void> {
	const wanted = [
		// The first health report can come before any sample ("no data yet"): show the first one with a score.
		{ name: 'health report', channel: channels.performance, label: '#nexus-performance', event: 'health.report', title: /\/100\)/ },
		{ name: 'analytics report', channel: channels.analytics, label: '#nexus-analytics', event: 'analytics.report', title: /./ }
	];
	const found: Record<string, FoundReport> = {};
	const until = Date.now() + timeoutMs;
	for (const report of wanted) {
		// A message can batch other events (an alert) before the report: find and show the report's own embed.
		const accept = (embeds: FoundReport['embeds']) => embeds.some((embed) => report.title.test(embed.title ?? ''));
		let message = firstEvent(sandbox, report.channel, report.event, accept);
		while (!message && Date.now() < until) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			message = firstEvent(sandbox, report.channel, report.event, accept);
		}
		if (!message) throw new Error(`No scheduled ${report.name} (${report.event}) reached its channel within ${timeoutMs} ms.`);
		found[report.event] = message;
		const title = message.embeds.find((embed) => report.title.test(embed.title ?? ''))?.title;
		say(`  ${report.name} in ${report.label}${title ? `: "${title}"` : ''}${message.files.length ? ` (+ ${message.files.join(', ')})` : ''}`);
	}
	say(`Scheduled tasks ran on ${scheduler}: a health report in #nexus-performance and an analytics report in #nexus-analytics -> scheduled-reports.json`);
	writeFileSync(join(out, 'scheduled-reports.json'), `${JSON.stringify(found, null, 2)}\n`);
}
