import { createHash } from 'node:crypto';

/** Everything that decides what an image shows. Two requests with equal parts get the same image. */
export interface ImageKeyParts {
	guildId: string;
	/** The subcommand / report name: "server", "member", "top", ... */
	report: string;
	/** Member or channel id the report is about; null/undefined for guild-wide reports. */
	target?: string | null;
	/** Every option that changes the output (range, members filter, timezone, metric, ...). */
	options?: Readonly<Record<string, unknown>>;
	/** The guild's data version: advances on every flush of new data for the guild. */
	dataVersion: number | string;
}

/** sha1 of the canonical JSON of the parts: option order and undefined options never change the key. */
export function imageCacheKey(parts: ImageKeyParts): string {
	const canonical = canonicalJson({
		guildId: parts.guildId,
		report: parts.report,
		target: parts.target ?? null,
		options: parts.options ?? {},
		dataVersion: parts.dataVersion
	});
	return createHash('sha1').update(canonical).digest('hex');
}

/** JSON with object keys sorted at every depth; undefined members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'bigint') return JSON.stringify(`${value}n`);
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form and would collide with null`);
		return JSON.stringify(value);
	}
	if (typeof value !== 'object') return JSON.stringify(value);
	if (value instanceof Date) return JSON.stringify(value.toISOString());
	if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
	const entries = Object.keys(value)
		.filter((key) => (value as Record<string, unknown>)[key] !== undefined)
		.sort()
		.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
	return `{${entries.join(',')}}`;
}
