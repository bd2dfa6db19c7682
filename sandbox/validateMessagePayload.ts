import type { EmbedObject } from './types.js';

/** Discord's documented message limits (unboosted guild). */
export const MESSAGE_LIMITS = {
	content: 2000,
	embeds: 10,
	embedTotal: 6000,
	title: 256,
	description: 4096,
	fields: 25,
	fieldName: 256,
	fieldValue: 1024,
	footerText: 2048,
	authorName: 256,
	files: 10,
	/** Total upload size per message. */
	fileBytes: 8 * 1024 * 1024
} as const;

export interface DiscordErrorBody {
	code: number;
	message: string;
	errors?: Record<string, unknown>;
}

export interface ValidationFailure {
	status: 400 | 413;
	body: DiscordErrorBody;
}

export interface ValidateOptions {
	/** Edits (PATCH) may omit everything; creates must carry content, embeds, files, stickers, poll or components. */
	partial?: boolean;
}

/** Discord counts characters as Unicode code points, not UTF-16 units. */
export function charCount(text: string): number {
	let n = 0;
	for (const _ of text) n++;
	return n;
}

/** Characters of an embed that count toward the 6000 total. */
export function embedLength(embed: EmbedObject): number {
	let total = 0;
	const add = (value: unknown) => {
		if (typeof value === 'string') total += charCount(value);
	};
	add(embed.title);
	add(embed.description);
	add(embed.footer?.text);
	add(embed.author?.name);
	for (const field of Array.isArray(embed.fields) ? embed.fields : []) {
		add(field?.name);
		add(field?.value);
	}
	return total;
}

type ErrorTree = { _errors?: Array<{ code: string; message: string }>; [key: string]: unknown };

/**
 * Checks a message body (JSON or parsed payload_json) and its files against Discord's limits.
 * Returns null when Discord would accept it, otherwise the exact status and error body Discord
 * answers: 400 {code:50035, message:'Invalid Form Body', errors:{...}} (50006 for an empty
 * message) or 413 {code:40005} when the files exceed 8 MiB in total.
 */
export function validateMessagePayload(body: unknown, files: ReadonlyArray<{ size: number }> = [], options: ValidateOptions = {}): ValidationFailure | null {
	const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
	if (totalBytes > MESSAGE_LIMITS.fileBytes) {
		return { status: 413, body: { code: 40005, message: 'Request entity too large' } };
	}

	const payload = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
	const errors: ErrorTree = {};
	const at = (path: Array<string | number>): ErrorTree => {
		let node = errors;
		for (const key of path) {
			const name = String(key);
			node[name] ??= {};
			node = node[name] as ErrorTree;
		}
		return node;
	};
	const fail = (path: Array<string | number>, code: string, message: string) => {
		const node = at(path);
		(node._errors ??= []).push({ code, message });
	};
	const maxLength = (path: Array<string | number>, value: unknown, max: number, required = false) => {
		if (value === undefined || value === null) {
			if (required) fail(path, 'BASE_TYPE_REQUIRED', 'This field is required');
			return;
		}
		if (typeof value !== 'string') {
			fail(path, 'BASE_TYPE_STRING', 'Could not interpret the value as string.');
			return;
		}
		if (required && value.trim().length === 0) fail(path, 'BASE_TYPE_REQUIRED', 'This field is required');
		else if (charCount(value) > max) fail(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
	};

	maxLength(['content'], payload.content, MESSAGE_LIMITS.content);

	const embeds = payload.embeds;
	if (embeds !== undefined && embeds !== null) {
		if (!Array.isArray(embeds)) fail(['embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
		else {
			if (embeds.length > MESSAGE_LIMITS.embeds) fail(['embeds'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MESSAGE_LIMITS.embeds} or fewer in length.`);
			let total = 0;
			embeds.forEach((raw, i) => {
				if (!raw || typeof raw !== 'object') {
					fail(['embeds', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
					return;
				}
				const embed = raw as EmbedObject;
				total += embedLength(embed);
				maxLength(['embeds', i, 'title'], embed.title, MESSAGE_LIMITS.title);
				maxLength(['embeds', i, 'description'], embed.description, MESSAGE_LIMITS.description);
				if (embed.footer !== undefined && embed.footer !== null) maxLength(['embeds', i, 'footer', 'text'], embed.footer.text, MESSAGE_LIMITS.footerText, true);
				if (embed.author !== undefined && embed.author !== null) maxLength(['embeds', i, 'author', 'name'], embed.author.name, MESSAGE_LIMITS.authorName, true);
				if (embed.fields !== undefined && embed.fields !== null) {
					if (!Array.isArray(embed.fields)) fail(['embeds', i, 'fields'], 'BASE_TYPE_ARRAY', 'Must be an array.');
					else {
						if (embed.fields.length > MESSAGE_LIMITS.fields) fail(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MESSAGE_LIMITS.fields} or fewer in length.`);
						embed.fields.forEach((field, j) => {
							maxLength(['embeds', i, 'fields', j, 'name'], field?.name, MESSAGE_LIMITS.fieldName, true);
							maxLength(['embeds', i, 'fields', j, 'value'], field?.value, MESSAGE_LIMITS.fieldValue, true);
						});
					}
				}
			});
			if (total > MESSAGE_LIMITS.embedTotal) fail(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${MESSAGE_LIMITS.embedTotal}`);
		}
	}

	const attachmentCount = Math.max(files.length, Array.isArray(payload.attachments) ? payload.attachments.length : 0);
	if (attachmentCount > MESSAGE_LIMITS.files) fail(['attachments'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MESSAGE_LIMITS.files} or fewer in length.`);

	if (Object.keys(errors).length > 0) return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors } };

	if (!options.partial) {
		const hasContent = typeof payload.content === 'string' && payload.content.length > 0;
		const hasEmbeds = Array.isArray(embeds) && embeds.length > 0;
		const hasOther = ['sticker_ids', 'components', 'poll'].some((key) => {
			const value = payload[key];
			return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null;
		});
		if (!hasContent && !hasEmbeds && files.length === 0 && !hasOther) {
			return { status: 400, body: { code: 50006, message: 'Cannot send an empty message' } };
		}
	}
	return null;
}
