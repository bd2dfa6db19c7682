interface Family {
	help?: string;
	type?: string;
	samples: string[];
}

/**
 * Merges Prometheus text expositions of several processes into one: each metric family once, with
 * one HELP and one TYPE line and the samples of every input together (the format wants a family's
 * lines in one group; repeated HELP/TYPE lines make scrapers reject the page). The inputs' series
 * must already differ by a label (the constant `shard` label does it); should two inputs still carry
 * the same series (name and labels), the first input's sample is kept, so the page stays valid: pass
 * the serving process's own, fresh text first. Family order: first seen wins.
 */
export function mergePrometheusText(texts: readonly string[]): string {
	const families = new Map<string, Family>();
	const family = (name: string) => {
		let entry = families.get(name);
		if (!entry) families.set(name, (entry = { samples: [] }));
		return entry;
	};
	const seen = new Set<string>();
	for (const text of texts) {
		// Samples belong to the family whose HELP/TYPE came last (histogram _bucket/_sum/_count included).
		let current: string | undefined;
		for (const line of text.split('\n')) {
			if (line === '') continue;
			const header = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
			if (header) {
				const [, kind, name, rest = ''] = header;
				current = name!;
				const entry = family(current);
				if (kind === 'HELP') entry.help ??= line;
				else entry.type ??= `# TYPE ${name} ${rest}`;
				continue;
			}
			if (line.startsWith('#')) continue;
			const name = current && sampleBelongsTo(line, current) ? current : sampleName(line);
			const entry = family(name);
			const series = seriesKey(line);
			if (seen.has(series)) continue;
			seen.add(series);
			entry.samples.push(line);
		}
	}
	const out: string[] = [];
	for (const entry of families.values()) {
		if (entry.help) out.push(entry.help);
		if (entry.type) out.push(entry.type);
		out.push(...entry.samples);
	}
	return out.length ? `${out.join('\n')}\n` : '';
}

function sampleName(line: string): string {
	const end = line.search(/[{\s]/);
	return end === -1 ? line : line.slice(0, end);
}

/** `name{labels}` of a sample line: everything before the value (label values may hold spaces and braces). */
function seriesKey(line: string): string {
	const brace = line.indexOf('{');
	const space = line.indexOf(' ');
	if (brace === -1 || (space !== -1 && space < brace)) return space === -1 ? line : line.slice(0, space);
	let quoted = false;
	for (let i = brace + 1; i < line.length; i++) {
		const char = line[i];
		if (quoted && char === '\\') i++;
		else if (char === '"') quoted = !quoted;
		else if (!quoted && char === '}') return line.slice(0, i + 1);
	}
	return line;
}

function sampleBelongsTo(line: string, family: string): boolean {
	const name = sampleName(line);
	return name === family || (name.startsWith(family) && /^_(bucket|sum|count|total|created|info)$/.test(name.slice(family.length)));
}
