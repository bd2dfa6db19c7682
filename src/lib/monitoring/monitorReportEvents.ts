import type { ReportEventInput, Severity } from '#lib/reporting/ReportEvent.js';
import type { AlertEvent } from './AlertManager.js';
import type { CommandAnalysis } from './CommandAnalyzer.js';
import { round, type HealthReport } from './monitorTypes.js';

/** The report post of one alert transition (fired, escalated, repeated, recovered). */
export function alertEvent(alert: AlertEvent, instance: string | null): ReportEventInput {
	return {
		event: `alert.${alert.key}`,
		severity: alert.level,
		title: alert.kind === 'recovered' ? `Recovered: ${alert.label}` : `${alert.level === 'CRITICAL' ? 'Critical' : 'Warning'}: ${alert.label}`,
		timestamp: alert.at,
		data: {
			message: alert.message,
			kind: alert.kind,
			value: round(alert.value, 2),
			threshold: round(alert.threshold, 2),
			unit: alert.unit,
			detail: alert.detail ?? null,
			since: new Date(alert.since).toISOString(),
			durationMinutes: round(alert.durationMs / 60_000, 1),
			instance
		}
	};
}

/** The Performance post of a closed command window (only sent when commands ran). */
export function commandAnalysisEvent(analysis: CommandAnalysis, instance: string | null): ReportEventInput {
	const failing = analysis.totals.runs >= 5 && analysis.totals.successRate < 95;
	return {
		event: 'commands.analysis',
		severity: failing ? 'WARNING' : 'INFO',
		title: `Commands: ${analysis.totals.runs} runs, ${round(analysis.totals.successRate)}% success${mistakesLine(analysis)}`,
		timestamp: analysis.to,
		data: {
			instance,
			window: { from: new Date(analysis.from).toISOString(), to: new Date(analysis.to).toISOString() },
			totals: roundFigures(analysis.totals),
			commands: analysis.commands.map((entry) => ({ ...entry, ...roundFigures(entry) })),
			categories: analysis.categories.map((entry) => ({ ...entry, ...roundFigures(entry) })),
			slowest: analysis.slowest.map((entry) => ({ command: entry.command, p95Ms: round(entry.p95Ms, 0), avgMs: round(entry.avgMs, 0), runs: entry.runs })),
			errorTypes: analysis.errorTypes,
			recentErrors: analysis.recentErrors.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
			// Answered ephemerally and not failures: shown so an operator sees e.g. "40 users tried an unknown timezone".
			userMistakes: analysis.userMistakes
		}
	};
}

/** The Performance post of a health report, with the whole report attached as JSON. */
export function healthReportEvent(report: HealthReport): ReportEventInput {
	const score = report.data.overall.score;
	const severity: Severity = score !== null && score < 50 ? 'WARNING' : 'INFO';
	return {
		event: report.event,
		severity,
		title: score === null ? 'Health: no data yet' : `Health ${report.data.overall.level} (${score}/100)`,
		timestamp: report.timestamp,
		data: report.data as unknown as Record<string, unknown>,
		files: [{ name: `health-report-${report.timestamp.replace(/[:.]/g, '-')}.json`, data: Buffer.from(JSON.stringify(report, null, 2)) }]
	};
}

function roundFigures(figures: { successRate: number; avgMs: number; p95Ms: number; maxMs: number }) {
	return { successRate: round(figures.successRate), avgMs: round(figures.avgMs, 0), p95Ms: round(figures.p95Ms, 0), maxMs: round(figures.maxMs, 0) };
}

/** ", 12 user mistakes (GuildStatsInvalidTimezone ×9, …)" for the command report's title, or nothing. */
function mistakesLine(analysis: CommandAnalysis): string {
	const total = analysis.userMistakes.reduce((sum, entry) => sum + entry.count, 0);
	if (total === 0) return '';
	const top = analysis.userMistakes.slice(0, 3).map((entry) => `${entry.identifier} ×${entry.count}`);
	return `, ${total} user mistake${total === 1 ? '' : 's'} (${top.join(', ')}${analysis.userMistakes.length > 3 ? ', …' : ''})`;
}
