import { version as sapphireVersion } from '@sapphire/framework';
import { version as discordVersion, type APIEmbed } from 'discord.js';
import type { FleetSummary } from '#lib/fleet/summarizeFleet.js';

export interface StatusFacts {
	uptimeMs: number;
	guilds: number;
	/** Each guild's member count, summed: a user in two guilds counts twice (this process's guilds when sharded, like `guilds`). */
	memberSum: number;
	gatewayPingMs: number;
	shardIds: number[];
	shardCount: number;
	rssBytes: number;
	nodeVersion: string;
	botVersion: string;
	/** Sharded: the whole fleet (machines and shards). */
	fleet?: FleetSummary;
}

export function formatDuration(ms: number): string {
	const seconds = Math.floor(ms / 1000);
	const parts = [
		[Math.floor(seconds / 86_400), 'd'],
		[Math.floor((seconds % 86_400) / 3600), 'h'],
		[Math.floor((seconds % 3600) / 60), 'm'],
		[seconds % 60, 's']
	] as const;
	const shown = parts.filter(([value], index) => value > 0 || index === parts.length - 1);
	return shown.map(([value, unit]) => `${value}${unit}`).join(' ');
}

/** The `/nexus status` embed: enough to tell at a glance that the bot is alive and where. */
export function buildStatusEmbed(facts: StatusFacts): APIEmbed {
	const ping = facts.gatewayPingMs >= 0 ? `${Math.round(facts.gatewayPingMs)} ms` : 'n/a';
	return {
		title: 'Nexus status',
		color: 0x5865f2,
		fields: [
			{ name: 'Uptime', value: formatDuration(facts.uptimeMs), inline: true },
			{ name: 'Guilds', value: facts.guilds.toLocaleString('en-US'), inline: true },
			{ name: 'Members (sum over guilds)', value: facts.memberSum.toLocaleString('en-US'), inline: true },
			{ name: 'Gateway ping', value: ping, inline: true },
			{ name: 'Shards', value: `${facts.shardIds.join(', ') || '0'} of ${facts.shardCount}`, inline: true },
			{ name: 'Memory (RSS)', value: `${(facts.rssBytes / 1024 / 1024).toFixed(1)} MiB`, inline: true },
			{
				name: 'Versions',
				value: `Nexus ${facts.botVersion} · Node ${facts.nodeVersion} · discord.js ${discordVersion} · Sapphire ${sapphireVersion}`
			},
			...(facts.fleet ? [fleetField(facts.fleet)] : [])
		],
		timestamp: new Date().toISOString()
	};
}

/** One line per machine (at most 15, down machines first), e.g. "🟢 machine-a: shards 0-1, 2/2 ready". */
function fleetField(fleet: FleetSummary): { name: string; value: string } {
	const machines = [...fleet.machines].sort((a, b) => Number(a.up) - Number(b.up));
	const lines = machines.slice(0, 15).map((machine) => {
		const state = machine.up ? `${machine.ready}/${machine.shards.length} ready` : `DOWN, silent ${formatDuration(machine.lastSeenMs)}`;
		return `${machine.up ? '🟢' : '🔴'} ${machine.machine}: shard ${machine.shards.join(', ')} · ${state}`;
	});
	if (machines.length > 15) lines.push(`… and ${machines.length - 15} more machine(s)`);
	return { name: `Fleet: ${fleet.ready}/${fleet.shardCount} shards ready`, value: lines.join('\n').slice(0, 1024) || 'no snapshots yet' };
}
