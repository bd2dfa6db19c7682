// bench/insights: `/guildstats inactive` and `/guildstats export` minus Discord on the large synthetic
// guild (10k members, 500 channels, 90 days, SQLite). Inactive: the member list read in pages of
// 1,000 (served from memory, as the sandbox would) against one read of every member's last activity,
// vs a naive baseline that asks the store once per member. Export: one read per family, vs a naive
// baseline that reads each member's rows with a query per member.
import { performance } from 'node:perf_hooks';
import type { APIGuildMember } from 'discord.js';
import { sql } from 'kysely';
import { buildExport, type ExportRequest } from '../src/lib/guildstats/exportData.js';
import { findInactiveMembers, inactiveCsv } from '../src/lib/guildstats/inactiveMembers.js';
import { fetchMemberList, type MemberPageFetcher } from '../src/lib/guildstats/memberList.js';
import { tableName, FAMILIES, TABLES } from '../src/lib/stats/statsSchema.js';
import { LARGE_GUILD_ID } from './support/largeGuild.js';
import { LARGE_GUILD_END, openLargeGuildFixture } from './support/largeGuildFixture.js';

const MEMBERS = 10_000;
const RUNS = Number(process.env.BENCH_INSIGHTS_RUNS ?? 10);
const DAY_MS = 86_400_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MiB`;

/** The guild's member list as Discord would page it (ids of largeGuild.ts, sorted). */
function memberPages(): { fetchPage: MemberPageFetcher; pages: () => number } {
	const members: APIGuildMember[] = Array.from({ length: MEMBERS }, (_, index) => ({
		user: { id: String(300000000000000000n + BigInt(index)), username: `member${index}`, global_name: null, discriminator: '0', avatar: null, bot: index % 100 === 99 },
		nick: null,
		roles: index % 10 === 0 ? ['500000000000000001'] : [],
		joined_at: new Date(LARGE_GUILD_END - 200 * DAY_MS).toISOString(),
		deaf: false,
		mute: false,
		flags: 0
	})) as unknown as APIGuildMember[];
	let pages = 0;
	return {
		fetchPage: async (after, limit) => {
			pages += 1;
			const start = members.findIndex((member) => BigInt(member.user.id) > BigInt(after));
			return start < 0 ? [] : members.slice(start, start + limit);
		},
		pages: () => pages
	};
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
	const started = performance.now();
	const value = await fn();
	return { ms: performance.now() - started, value };
}

export async function run(): Promise<void> {
	const store = await openLargeGuildFixture();
	const now = LARGE_GUILD_END;
	try {
		console.log(`/guildstats inactive and export on ${MEMBERS.toLocaleString('en-US')} members / 500 channels / 90 days (SQLite); median of ${RUNS} runs`);

		// Inactive.
		const source = memberPages();
		const ours: number[] = [];
		let report = findInactiveMembers([], new Map(), { days: 30, now, isOptedOut: () => false });
		for (let i = 0; i < RUNS; i++) {
			const { ms: took, value } = await time(async () => {
				const [members, last] = await Promise.all([fetchMemberList(source.fetchPage), store.reports.lastActivity(LARGE_GUILD_ID)]);
				const result = findInactiveMembers(members, last, { days: 30, now, isOptedOut: () => false });
				inactiveCsv(result);
				return result;
			});
			ours.push(took);
			report = value;
		}
		const members = await fetchMemberList(source.fetchPage);
		const naive: number[] = [];
		for (let i = 0; i < Math.min(3, RUNS); i++) {
			const { ms: took, value: count } = await time(async () => {
				let inactive = 0;
				for (const member of members) {
					if (member.bot) continue;
					const { rows } = await sql<{ last_at: number }>`select last_at from ${sql.table(TABLES.memberTotals)} where guild_id = ${LARGE_GUILD_ID} and user_id = ${member.id}`.execute(store.db);
					if (!rows[0] || Number(rows[0].last_at) < now - 30 * DAY_MS) inactive += 1;
				}
				return inactive;
			});
			if (count !== report.inactive.length) throw new Error(`baseline disagrees: ${count} vs ${report.inactive.length}`);
			naive.push(took);
		}
		console.log(
			`  inactive days:30: ${report.inactive.length.toLocaleString('en-US')} of ${report.checked.toLocaleString('en-US')} humans; ` +
				`member list (${source.pages() / (RUNS + 1)} pages) + one store read + CSV: ${ms(median(ours))}; ` +
				`naive query per member: ${ms(median(naive))} -> ${(median(naive) / median(ours)).toFixed(1)}x faster`
		);

		// Export.
		const names = { channel: (id: string) => ({ name: `channel-${id.slice(-3)}`, kind: 'text' as const }) };
		const cases: ExportRequest[] = [
			{ range: '90d', format: 'csv', granularity: 'daily' },
			{ range: '90d', format: 'json', granularity: 'daily' },
			{ range: '30d', format: 'csv', granularity: 'hourly' },
			{ range: '90d', format: 'csv', granularity: 'hourly' }
		];
		for (const request of cases) {
			const runs: number[] = [];
			let line = '';
			for (let i = 0; i < Math.min(5, RUNS); i++) {
				try {
					const { ms: took, value } = await time(() => buildExport({ store }, { id: LARGE_GUILD_ID, names }, request, { now, uploadLimit: 8 * 1048576 }));
					runs.push(took);
					line = `${mib(value.bytes)}, ${value.rows.members.toLocaleString('en-US')} member rows`;
				} catch (error) {
					line = `refused: ${(error as Error).message.slice(0, 90)}`;
					break;
				}
			}
			console.log(`  export ${request.range} ${request.granularity} ${request.format}: ${runs.length ? ms(median(runs)) : '–'} (${line})`);
		}
		// Baseline for the member rows: one query per member over the same 90 days, on the per-member index.
		const dailyMembers = tableName(FAMILIES.member, 'daily');
		const fromDay = Math.floor(now / DAY_MS) - 90;
		const single = await time(() => store.reports.exportRows(LARGE_GUILD_ID, { granularity: 'daily', from: fromDay, to: Math.floor(now / DAY_MS) + 1 }));
		const perMember = await time(async () => {
			let rows = 0;
			for (const member of members) {
				const result = await sql`select day, messages, voice_seconds, reactions_given, reactions_received from ${sql.table(dailyMembers)} indexed by ${sql.id(`${dailyMembers}_user`)}
					where user_id = ${member.id} and guild_id = ${LARGE_GUILD_ID} and day >= ${fromDay}`.execute(store.db);
				rows += result.rows.length;
			}
			return rows;
		});
		if (perMember.value !== single.value.members.length) throw new Error(`baseline disagrees: ${perMember.value} vs ${single.value.members.length} rows`);
		console.log(`  export read, 90 days daily: one query per family ${ms(single.ms)} vs one query per member ${ms(perMember.ms)} -> ${(perMember.ms / single.ms).toFixed(1)}x faster`);
	} finally {
		await store.close();
	}
}
