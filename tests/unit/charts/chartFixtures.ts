import type { HeatmapSpec, RankingSpec, ServerOverviewSpec, TimeSeriesSpec } from '#lib/charts/ChartSpecs.js';
import { formatBucketLabels } from '#lib/charts/formatBucketLabels.js';

/** Deterministic pseudo-random numbers so fixtures (and their images) are stable between runs. */
export function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 6, 5); // midnight in New York

export function dailyStarts(days: number): number[] {
	return Array.from({ length: days }, (_, i) => START + i * DAY);
}

/** A guild with a weekly rhythm and slow growth, for `days` daily buckets. */
export function activitySeries(days: number, seed = 1): { messages: number[]; active: number[]; voice: number[] } {
	const random = seeded(seed);
	const messages: number[] = [];
	const active: number[] = [];
	const voice: number[] = [];
	for (let i = 0; i < days; i++) {
		const weekday = i % 7;
		const weekend = weekday >= 5 ? 1.35 : 1;
		const trend = 1 + i / (days * 1.5);
		messages.push(Math.round((900 + 500 * random()) * weekend * trend));
		active.push(Math.round((140 + 60 * random()) * weekend * trend));
		voice.push(Math.round((300 + 400 * random()) * weekend * trend));
	}
	return { messages, active, voice };
}

const SUBTITLE = 'Nexus Test Guild · Last 30 days · America/New_York';

export function serverTimeSeries(days = 30): TimeSeriesSpec {
	const { messages, active, voice } = activitySeries(days);
	return {
		title: 'Server activity',
		subtitle: SUBTITLE,
		labels: formatBucketLabels(dailyStarts(days), 'day', 'America/New_York'),
		series: [
			{ label: 'Messages', values: messages },
			{ label: 'Active members', values: active },
			{ label: 'Voice minutes', values: voice, axis: 'right' }
		],
		axisTitles: { left: 'Messages · members', right: 'Voice minutes' },
		summary: [
			{ label: 'Messages', value: messages.reduce((a, b) => a + b, 0) },
			{ label: 'Active members', value: 321 },
			{ label: 'Voice', value: `${voice.reduce((a, b) => a + b, 0).toLocaleString('en-US')} min` },
			{ label: 'Joins', value: 48 },
			{ label: 'Leaves', value: 13 }
		]
	};
}

export function growthSeries(days = 30): TimeSeriesSpec {
	const random = seeded(7);
	const joins = Array.from({ length: days }, () => Math.round(random() * 9));
	const leaves = Array.from({ length: days }, () => Math.round(random() * 4));
	let net = 0;
	const cumulative = joins.map((j, i) => (net += j - leaves[i]));
	return {
		title: 'Growth',
		subtitle: SUBTITLE,
		labels: formatBucketLabels(dailyStarts(days), 'day', 'America/New_York'),
		series: [
			{ label: 'Joins', values: joins, kind: 'bar', color: '#57f287' },
			{ label: 'Leaves', values: leaves, kind: 'bar', color: '#ed4245' },
			{ label: 'Net growth (cumulative)', values: cumulative, kind: 'line', axis: 'right', color: '#5865f2' }
		],
		axisTitles: { left: 'Members per day', right: 'Net members' },
		summary: [
			{ label: 'Joins', value: joins.reduce((a, b) => a + b, 0) },
			{ label: 'Leaves', value: leaves.reduce((a, b) => a + b, 0) },
			{ label: 'Net', value: `${net >= 0 ? '+' : ''}${net}` },
			{ label: 'Members now', value: 12_480 }
		]
	};
}

const MEMBER_NAMES = [
	'Aurora Vale',
	'xX_DarkPhoenix_Xx ✨🔥',
	'Mikhail Konstantinovich Rostropovich-Legrand',
	'Lena',
	'Jonas B.',
	'sam 🎮',
	'Priya Raman',
	'Kenji',
	'Olu Adeyemi',
	'Marguerite de la Fontaine-Beaumont',
	'Tomás',
	'zoë'
];

export const CHANNEL_NAMES = ['general', 'memes', 'off-topic', 'dev-help-and-questions-about-everything-else', 'announcements', 'music', 'voice-chat-text', 'art'];

export function ranking(count = 10): RankingSpec {
	const random = seeded(3);
	let value = 4_800;
	return {
		title: 'Top members by messages',
		subtitle: SUBTITLE,
		valueLabel: 'messages',
		items: Array.from({ length: count }, (_, i) => {
			value = Math.round(value * (0.62 + 0.3 * random()));
			return { label: MEMBER_NAMES[i % MEMBER_NAMES.length], value, sublabel: `most in #${CHANNEL_NAMES[i % CHANNEL_NAMES.length]}` };
		}),
		summary: [
			{ label: 'Members ranked', value: 321 },
			{ label: 'Messages', value: 31_240 },
			{ label: 'Top 10 share', value: '47%' }
		]
	};
}

export function heatmap(): HeatmapSpec {
	const random = seeded(11);
	const rows = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
	const columns = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
	const values = rows.map((_, r) =>
		columns.map((__, h) => {
			const evening = Math.exp(-((h - 20) ** 2) / 18) * 900;
			const lunch = Math.exp(-((h - 13) ** 2) / 6) * 300;
			const night = h < 6 ? 0.15 : 1;
			const weekend = r >= 5 ? 1.4 : 1;
			return h === 4 ? 0 : Math.round((evening + lunch + 40 * random()) * night * weekend);
		})
	);
	return {
		title: 'When is the server active?',
		subtitle: SUBTITLE,
		rows,
		columns,
		values,
		valueLabel: 'messages',
		summary: [
			{ label: 'Busiest day', value: 'Saturday' },
			{ label: 'Busiest hour', value: '20:00' },
			{ label: 'Messages', value: 31_240 }
		]
	};
}

export function serverOverview(days = 30): ServerOverviewSpec {
	const base = serverTimeSeries(days);
	const random = seeded(5);
	let value = 9_000;
	const top = (names: string[], prefix: string) =>
		names.slice(0, 5).map((name) => {
			value = Math.round(value * (0.5 + 0.35 * random()));
			return { label: prefix + name, value };
		});
	return {
		...base,
		title: 'Server overview',
		topChannels: top(CHANNEL_NAMES, '#'),
		topMembers: top(MEMBER_NAMES, '')
	};
}
