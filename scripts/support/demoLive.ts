import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DiscordSandbox, RecordedRequest } from '../../sandbox/index.js';
import { ROOT } from './botProcess.js';
import type { DemoContext } from './demoCommands.js';

/** The demo's `LIVE_MINUTE_MS`: `every:5` becomes a refresh every 15 s, so a minute of demo shows several edits. */
export const DEMO_LIVE_MINUTE_MS = 3000;
export const DEMO_LIVE_EVERY = 5;
const COUNTER_TEMPLATE = '👥 Members: {members}';

export interface DemoLiveSetup {
	channelId: string;
	messageId: string;
	counterChannelId: string;
}

export interface DemoLiveResult {
	liveMessage: { channelId: string; messageId: string; posts: number; edits: number; editTimes: string[]; image: string | null };
	counter: { channelId: string; template: string; renames: { at: string; name: string; status: number }[]; finalName: string };
	rateLimitHits: number;
}

async function run(context: DemoContext, channelId: string, subcommandGroup: string, subcommand: string, options: Record<string, string | number>): Promise<RecordedRequest> {
	const handle = context.sandbox.interact({ guildId: context.guildId, channelId, userId: context.ownerId, command: 'guildstats', subcommandGroup, subcommand, options });
	return handle.waitForResponse(undefined, 30_000);
}

const answerText = (request: RecordedRequest) => {
	const body = request.body as { content?: string; data?: { content?: string } } | null;
	return (body?.data?.content ?? body?.content ?? '').slice(0, 200);
};

const postsTo = (sandbox: DiscordSandbox, channelId: string) => sandbox.findRequests((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.status === 200);

/** Sets up one live message (#general-like first text channel) and one counter (first voice channel) as the guild owner. */
export async function setUpDemoLive(context: DemoContext): Promise<DemoLiveSetup> {
	const { sandbox, guildId, say } = context;
	const guild = sandbox.state.guilds.get(guildId)!;
	const channels = [...guild.channelIds].map((id) => sandbox.state.channels.get(id)!).filter((channel) => !channel.name.startsWith('nexus-'));
	const text = channels.filter((channel) => channel.type === 0);
	const channelId = text[1]?.id ?? text[0]!.id;
	const counterChannelId = channels.find((channel) => channel.type === 2)!.id;

	say(`/guildstats live set channel:#${sandbox.state.channel(channelId)!.name} report:server range:30d every:${DEMO_LIVE_EVERY} (LIVE_MINUTE_MS=${DEMO_LIVE_MINUTE_MS}: one refresh every ${(DEMO_LIVE_EVERY * DEMO_LIVE_MINUTE_MS) / 1000} s)`);
	say(`  -> ${answerText(await run(context, text[0]!.id, 'live', 'set', { channel: channelId, report: 'server', range: '30d', every: DEMO_LIVE_EVERY }))}`);
	const post = postsTo(sandbox, channelId)[0];
	if (!post) throw new Error('the live message was not posted');
	say(`/guildstats counter add channel:"${sandbox.state.channel(counterChannelId)!.name}" template:"${COUNTER_TEMPLATE}"`);
	say(`  -> ${answerText(await run(context, text[0]!.id, 'counter', 'add', { channel: counterChannelId, template: COUNTER_TEMPLATE }))}`);
	return { channelId, messageId: (post.response as { id: string }).id, counterChannelId };
}

/** After the traffic: waits for at least two in-place edits, saves the latest image of the live message, and sums it up. */
export async function finishDemoLive(context: DemoContext, setup: DemoLiveSetup): Promise<DemoLiveResult> {
	const { sandbox, out, say } = context;
	const edits = () => sandbox.findRequests((r) => r.method === 'PATCH' && r.path === `/channels/${setup.channelId}/messages/${setup.messageId}` && r.status === 200);
	const deadline = Date.now() + 4 * DEMO_LIVE_EVERY * DEMO_LIVE_MINUTE_MS;
	while (edits().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
	const done = edits();
	const latest = [...done].reverse().find((r) => r.files.some((file) => file.name.endsWith('.png'))) ?? postsTo(sandbox, setup.channelId)[0];
	const png = latest?.files.find((file) => file.name.endsWith('.png'));
	let image: string | null = null;
	if (png) {
		image = 'live-message.png';
		writeFileSync(join(out, image), png.data);
		// The README's picture comes from `npm run demo` (default output folder), not from test runs elsewhere.
		if (resolve(out) === resolve(ROOT, 'demo-output')) {
			mkdirSync(join(ROOT, 'docs/images'), { recursive: true });
			writeFileSync(join(ROOT, 'docs/images/live-message.png'), png.data);
		}
	}
	const renames = sandbox.findRequests((r) => r.method === 'PATCH' && r.path === `/channels/${setup.counterChannelId}`);
	const result: DemoLiveResult = {
		liveMessage: {
			channelId: setup.channelId,
			messageId: setup.messageId,
			posts: postsTo(sandbox, setup.channelId).length,
			edits: done.length,
			editTimes: done.map((r) => new Date(r.at).toISOString()),
			image
		},
		counter: {
			channelId: setup.counterChannelId,
			template: COUNTER_TEMPLATE,
			renames: renames.map((r) => ({ at: new Date(r.at).toISOString(), name: (r.body as { name: string }).name, status: r.status })),
			finalName: sandbox.state.channel(setup.counterChannelId)!.name
		},
		rateLimitHits: sandbox.rateLimitHits()
	};
	writeFileSync(join(out, 'live.json'), `${JSON.stringify(result, null, 2)}\n`);
	say(`Live message: posted ${result.liveMessage.posts}x, edited in place ${result.liveMessage.edits}x; saved ${image ?? 'no image'}.`);
	say(`Counter channel: ${renames.length} rename(s) (Discord allows 2 per 10 minutes): ${result.counter.renames.map((r) => `"${r.name}"`).join(' -> ')}; now "${result.counter.finalName}".`);
	if (result.liveMessage.edits < 2) throw new Error(`the live message was edited ${result.liveMessage.edits} time(s) during the demo, expected at least 2`);
	return result;
}
