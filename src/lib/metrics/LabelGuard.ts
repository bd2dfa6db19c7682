/**
 * Keeps a label's values bounded: the first `max` distinct values pass through, later new ones
 * become "other". A bug that feeds an id into a label then costs one series, not millions.
 */
export class LabelGuard {
	private readonly seen = new Map<string, Set<string>>();

	public constructor(
		private readonly max: number,
		private readonly perLabel: Record<string, number> = {}
	) {}

	public value(label: string, raw: string | number | undefined | null): string {
		const value = raw === undefined || raw === null || raw === '' ? 'none' : String(raw).slice(0, 64);
		let values = this.seen.get(label);
		if (!values) this.seen.set(label, (values = new Set()));
		if (values.has(value)) return value;
		if (values.size >= (this.perLabel[label] ?? this.max)) return 'other';
		values.add(value);
		return value;
	}

	public bound<L extends string>(labels: Partial<Record<L, string | number | null | undefined>>): Record<L, string> {
		const out = {} as Record<L, string>;
		for (const key in labels) out[key] = this.value(key, labels[key]);
		return out;
	}
}
