import type { ChannelTestResult } from '#lib/reporting/Reporter.js';

/** One line per report channel for `/nexus test_reporting`: ok + round trip, or the exact reason. */
export function formatChannelTests(results: readonly ChannelTestResult[]): string {
	const lines = results.map((result) => {
		const name = result.channel.charAt(0).toUpperCase() + result.channel.slice(1);
		return result.ok
			? `✅ **${name}** <#${result.channelId}> — ok, ${Math.round(result.ms ?? 0)} ms round trip`
			: `❌ **${name}** \`${result.channelId}\` — ${result.reason ?? 'failed'}`;
	});
	const failed = results.filter((result) => !result.ok).length;
	const header = failed === 0 ? 'All report channels work.' : `${failed} of ${results.length} report channels failed.`;
	return `${header}\n${lines.join('\n')}`;
}
