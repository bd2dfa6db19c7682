import { ApplyOptions } from '@sapphire/decorators';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { MessageFlags } from 'discord.js';
import { REPORT_CHANNELS } from '#root/config.js';
import { formatChannelTests } from '#lib/commands/reportingTestLines.js';
import { buildStatusEmbed } from '#lib/commands/statusReport.js';
import { buildHealthEmbed } from '#lib/monitoring/healthEmbed.js';
import { BOT_VERSION } from '#lib/version.js';

@ApplyOptions<Subcommand.Options>({
	name: 'nexus',
	description: 'Nexus bot administration',
	subcommands: [
		{ name: 'status', chatInputRun: 'chatInputStatus', preconditions: ['OwnerOnly'] },
		{ name: 'test_reporting', chatInputRun: 'chatInputTestReporting', preconditions: ['OwnerOnly'] },
		{ name: 'health', chatInputRun: 'chatInputHealth', preconditions: ['OwnerOnly'] }
	]
})
export class NexusCommand extends Subcommand {
	public override registerApplicationCommands(registry: Subcommand.Registry) {
		registry.registerChatInputCommand((builder) =>
			builder
				.setName(this.name)
				.setDescription(this.description)
				.addSubcommand((command) => command.setName('status').setDescription('Uptime, guilds, gateway ping and versions (owners only)'))
				.addSubcommand((command) => command.setName('health').setDescription('Health scores, trends, alerts and recommendations right now (owners only)'))
				.addSubcommand((command) => command.setName('test_reporting').setDescription('Send a marked test message to each report channel and show the result (owners only)'))
		);
	}

	public async chatInputStatus(interaction: Subcommand.ChatInputCommandInteraction) {
		const { client } = this.container;
		const embed = buildStatusEmbed({
			uptimeMs: client.uptime ?? 0,
			guilds: client.guilds.cache.size,
			memberSum: client.guilds.cache.reduce((sum, guild) => sum + guild.memberCount, 0),
			gatewayPingMs: client.ws.ping,
			shardIds: client.shard?.ids ?? [0],
			shardCount: client.shard?.count ?? 1,
			rssBytes: process.memoryUsage.rss(),
			nodeVersion: process.versions.node,
			botVersion: BOT_VERSION,
			// Sharded: every machine and shard, as the fleet view in Redis has them (bounded; this process alone if unreadable).
			fleet: client.shard && this.container.fleet ? await this.container.fleet.snapshot().catch(() => undefined) : undefined
		});
		return interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}

	public async chatInputHealth(interaction: Subcommand.ChatInputCommandInteraction) {
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const { monitor } = this.container;
		// Fresh samples, so the answer describes now rather than the last scheduled tick.
		await Promise.all([monitor.runJob('system'), monitor.runJob('process')]);
		monitor.sampleDiscord();
		const report = monitor.healthReport({ emit: false });
		const json = Buffer.from(JSON.stringify(report, null, 2));
		return interaction.editReply({ embeds: [buildHealthEmbed(report)], files: [{ attachment: json, name: 'health-report.json' }], allowedMentions: { parse: [] } });
	}

	public async chatInputTestReporting(interaction: Subcommand.ChatInputCommandInteraction) {
		// Four sends of up to 5 s each run in parallel: defer so Discord's 3 s deadline never bites.
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const { reporter } = this.container;
		const results = await Promise.all(REPORT_CHANNELS.map((channel) => reporter.testChannel(channel)));
		return interaction.editReply({ content: formatChannelTests(results), allowedMentions: { parse: [] } });
	}
}
