import { afterEach, describe, expect, it } from 'vitest';
import { DiscordSandbox, Permission, seedGuild } from '../../sandbox/index.js';

/** The sandbox is as strict as Discord on what live messages and counter channels rely on. */
let sandbox: DiscordSandbox | undefined;
afterEach(async () => {
	await sandbox?.stop();
	sandbox = undefined;
});

const BOT = Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.AttachFiles;

async function start(permissions: bigint, windowMs = 400) {
	sandbox = await DiscordSandbox.start({ guilds: [seedGuild({ members: 5 })], botPermissions: permissions, rateLimits: { channelRenames: { limit: 2, windowMs } } });
	const guild = [...sandbox.state.guilds.values()][0]!;
	const channels = [...guild.channelIds].map((id) => sandbox!.state.channel(id)!);
	return { sandbox, guild, voice: channels.find((c) => c.type === 2)!, text: channels.find((c) => c.type === 0)! };
}

const call = (s: DiscordSandbox, method: string, path: string, body?: unknown) =>
	fetch(`${s.apiUrl}/v10${path}`, { method, headers: { authorization: 'Bot test', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('sandbox channel renames (Discord: 2 per 10 minutes per channel)', () => {
	it('allows 2 renames per window, answers the third with 429 + Retry-After, and allows again after the window', async () => {
		const { sandbox: s, voice, text } = await start(BOT | Permission.ManageChannels);
		expect((await call(s, 'PATCH', `/channels/${voice.id}`, { name: 'one' })).status).toBe(200);
		expect((await call(s, 'PATCH', `/channels/${voice.id}`, { name: 'two' })).status).toBe(200);
		const limited = await call(s, 'PATCH', `/channels/${voice.id}`, { name: 'three' });
		expect(limited.status).toBe(429);
		const retryAfter = Number(limited.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(0.4);
		expect(((await limited.json()) as { retry_after: number; global: boolean }).global).toBe(false);
		expect(s.state.channel(voice.id)!.name).toBe('two');
		// Per channel: another channel still has its budget.
		expect((await call(s, 'PATCH', `/channels/${text.id}`, { name: 'other' })).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 20));
		expect((await call(s, 'PATCH', `/channels/${voice.id}`, { name: 'three' })).status).toBe(200);
		expect(s.state.channel(voice.id)!.name).toBe('three');
		expect(s.rateLimitHits()).toBe(1);
	});

	it('refuses without Manage Channels (403 50013) and names outside 1-100 characters (400 50035)', async () => {
		const { sandbox: s, voice } = await start(BOT);
		const denied = await call(s, 'PATCH', `/channels/${voice.id}`, { name: 'x' });
		expect(denied.status).toBe(403);
		expect(((await denied.json()) as { code: number }).code).toBe(50013);
		s.setBotPermissions([...s.state.guilds.keys()][0]!, BOT | Permission.ManageChannels);
		expect((await call(s, 'PATCH', `/channels/${voice.id}`, { name: 'x'.repeat(101) })).status).toBe(400);
		expect((await call(s, 'PATCH', `/channels/${voice.id}`, { name: '' })).status).toBe(400);
	});

	it('message edits: 404 10008 once deleted, 403 50013 when access is revoked, 10003 once the channel is gone', async () => {
		const { sandbox: s, text } = await start(BOT);
		const post = async () => ((await (await call(s, 'POST', `/channels/${text.id}/messages`, { content: 'live' })).json()) as { id: string }).id;
		const first = await post();
		expect((await call(s, 'PATCH', `/channels/${text.id}/messages/${first}`, { content: 'edited' })).status).toBe(200);
		s.deleteMessage(first);
		const gone = await call(s, 'PATCH', `/channels/${text.id}/messages/${first}`, { content: 'again' });
		expect([gone.status, ((await gone.json()) as { code: number }).code]).toEqual([404, 10008]);
		const second = await post();
		s.state.denyChannel(text.id);
		const denied = await call(s, 'PATCH', `/channels/${text.id}/messages/${second}`, { content: 'x' });
		expect([denied.status, ((await denied.json()) as { code: number }).code]).toEqual([403, 50013]);
		s.channelDelete(text.id);
		const unknown = await call(s, 'PATCH', `/channels/${text.id}/messages/${second}`, { content: 'x' });
		expect([unknown.status, ((await unknown.json()) as { code: number }).code]).toEqual([404, 10003]);
	});
});
