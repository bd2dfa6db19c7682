/** Placeholders a counter channel's name template may use, with what each one counts. */
export const COUNTER_PLACEHOLDERS = {
	members: 'members in the server',
	humans: 'members who are not bots',
	bots: 'bots in the server',
	messages_today: 'messages sent today (server timezone, humans)',
	voice_now: 'members in voice channels right now',
	active_7d: 'members active in the last 7 days (humans)',
	joins_today: 'members who joined today (server timezone)'
} as const;

export type CounterPlaceholder = keyof typeof COUNTER_PLACEHOLDERS;
export type CounterValues = Partial<Record<CounterPlaceholder, number>>;

/** Discord's channel name length limits. */
export const CHANNEL_NAME_MIN = 1;
export const CHANNEL_NAME_MAX = 100;

const PLACEHOLDER = /\{([a-z0-9_]+)\}/g;
/** Numbers are shown with thousands separators; validation assumes the widest value a guild can reach. */
const WIDEST_VALUE = 9_999_999_999;
const format = new Intl.NumberFormat('en-US');

export type TemplateCheck = { ok: true; placeholders: CounterPlaceholder[] } | { ok: false; error: string };

/** The placeholders a template uses (unknown names are ignored here; validateTemplate rejects them). */
export function templatePlaceholders(template: string): CounterPlaceholder[] {
	const found = new Set<CounterPlaceholder>();
	for (const match of template.matchAll(PLACEHOLDER)) if (match[1]! in COUNTER_PLACEHOLDERS) found.add(match[1] as CounterPlaceholder);
	return [...found];
}

/**
 * Checks a template against Discord's channel-name rules as the rendered name will meet them:
 * 1-100 characters even with the widest numbers, no line breaks or control characters, not blank,
 * and only known placeholders (at least one, or the name would never change).
 */
export function validateTemplate(template: string): TemplateCheck {
	const unknown = [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!).filter((name) => !(name in COUNTER_PLACEHOLDERS));
	if (unknown.length > 0) return { ok: false, error: `Unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `\`{${name}}\``).join(', ')}. Available: ${placeholderList()}.` };
	if (/[\p{Cc}\u2028\u2029]/u.test(template)) return { ok: false, error: 'Channel names cannot contain line breaks, tabs or other control characters.' };
	if (template.trim().length === 0) return { ok: false, error: 'The template is blank: Discord needs a channel name of 1-100 characters.' };
	const placeholders = templatePlaceholders(template);
	if (placeholders.length === 0) return { ok: false, error: `The template has no placeholder, so the name would never change. Use one of ${placeholderList()}.` };
	const widest = renderTemplate(template, Object.fromEntries(placeholders.map((name) => [name, WIDEST_VALUE])));
	if (widest.length > CHANNEL_NAME_MAX) {
		return { ok: false, error: `Too long: with large numbers the name reaches ${widest.length} characters, and Discord allows ${CHANNEL_NAME_MAX}. Shorten the text around the placeholders.` };
	}
	return { ok: true, placeholders };
}

/** The channel name for these values (trimmed like Discord trims names; missing values render as 0). */
export function renderTemplate(template: string, values: CounterValues): string {
	return template.replace(PLACEHOLDER, (whole, name: string) => (name in COUNTER_PLACEHOLDERS ? format.format(values[name as CounterPlaceholder] ?? 0) : whole)).trim();
}

export function placeholderList(): string {
	return Object.keys(COUNTER_PLACEHOLDERS)
		.map((name) => `\`{${name}}\``)
		.join(' ');
}
