/** Wall-clock parts of an instant in a timezone. */
export interface ZonedParts {
	year: number;
	/** 1-12 */
	month: number;
	day: number;
	hour: number;
	minute: number;
	/** Local time minus UTC, in minutes (e.g. -240 for EDT). */
	offsetMinutes: number;
}

const HOUR = 3_600_000;
/** Zones change offset at most once in this long (real transitions are weeks apart). */
const PROBE_SPACING = 6 * HOUR;

/**
 * Local wall-clock parts for many instants at the cost of few Intl calls: the zone offset is
 * probed every few hours (and at every instant around a change), then parts come from plain
 * UTC arithmetic. Formatting 2,160 hourly labels one Intl call each costs ~10 ms; this ~0.5 ms.
 * Expects ascending instants; any order still gives correct results, only more probes.
 */
export function zonedParts(instantsMs: readonly number[], timeZone: string): ZonedParts[] {
	const offsetOf = offsetProbe(timeZone);
	const offsets = new Array<number>(instantsMs.length);
	let segmentStart = 0;
	for (let i = 0; i < instantsMs.length; i++) {
		const last = i === instantsMs.length - 1;
		if (i > 0 && !last && instantsMs[i] - instantsMs[segmentStart] < PROBE_SPACING && instantsMs[i] >= instantsMs[segmentStart]) continue;
		offsets[i] = offsetOf(instantsMs[i]);
		// Between two probes with the same offset nothing changed; otherwise look at each instant.
		const same = offsets[i] === offsets[segmentStart];
		for (let j = segmentStart + 1; j < i; j++) offsets[j] = same ? offsets[i] : offsetOf(instantsMs[j]);
		segmentStart = i;
	}
	return instantsMs.map((ms, i) => {
		const local = new Date(ms + offsets[i] * 60_000);
		return {
			year: local.getUTCFullYear(),
			month: local.getUTCMonth() + 1,
			day: local.getUTCDate(),
			hour: local.getUTCHours(),
			minute: local.getUTCMinutes(),
			offsetMinutes: offsets[i]
		};
	});
}

/** offset(ms) in minutes for one zone; throws RangeError for an unknown zone, like Intl. */
function offsetProbe(timeZone: string): (ms: number) => number {
	const format = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric'
	});
	return (ms) => {
		const parts: Record<string, number> = {};
		for (const part of format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
		const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
		return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
	};
}
