import type { APIEmbed } from 'discord.js';
import { privacyStatement, type PrivacyStatementOptions } from '#lib/stats/privacyStatement.js';
import { EMBED_COLOR } from './reportEmbed.js';

/** `/guildstats privacy`: the statement checked against the schema (privacyStatement), with retention from config. */
export function privacyEmbed(options: PrivacyStatementOptions & { statsEnabled: boolean }): APIEmbed {
	const statement = privacyStatement(options);
	return {
		title: statement.title,
		color: EMBED_COLOR,
		...(options.statsEnabled ? {} : { description: '*Statistics capture is switched off on this bot (STATS_ENABLED=false): nothing is being recorded.*' }),
		fields: statement.sections.map((section) => ({ name: section.name, value: section.value, inline: false }))
	};
}
