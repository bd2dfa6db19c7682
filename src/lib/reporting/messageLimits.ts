import type { APIEmbed } from 'discord.js';

/**
 * Discord's message limits (https://discord.com/developers/docs/resources/message#create-message
 * and the embed limits). Lengths are counted in UTF-16 code units, which is never less than
 * Discord's count in code points, so staying under them here stays under them there.
 */
export const MESSAGE_LIMITS = {
	content: 2000,
	embeds: 10,
	embedTotalChars: 6000,
	title: 256,
	description: 4096,
	fields: 25,
	fieldName: 256,
	fieldValue: 1024,
	footer: 2048,
	author: 256,
	files: 10,
	/** Unboosted guilds: 8 MiB for all attachments of one message (bots treat this as the limit). */
	fileBytes: 8 * 1024 * 1024
} as const;

export interface OutgoingFile {
	name: string;
	data: Buffer;
	contentType?: string;
}

/** The JSON body we post to `POST /channels/:id/messages` (a subset of Discord's). */
export interface MessageBody {
	content?: string;
	embeds?: APIEmbed[];
	allowed_mentions: { parse: [] };
}

/** Characters that count towards the 6000 total of one embed (title, description, fields, footer, author). */
export function embedChars(embed: APIEmbed): number {
	let total = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
	for (const field of embed.fields ?? []) total += field.name.length + field.value.length;
	return total;
}

/**
 * Every limit the message breaks, as human text; empty when Discord would accept it. Our own
 * check, used by the batcher's tests and as a last guard before sending.
 */
export function messageLimitProblems(body: MessageBody, files: readonly OutgoingFile[] = []): string[] {
	const problems: string[] = [];
	const limits = MESSAGE_LIMITS;
	if (body.content !== undefined && body.content.length > limits.content) problems.push(`content ${body.content.length} > ${limits.content}`);
	const embeds = body.embeds ?? [];
	if (!body.content && embeds.length === 0 && files.length === 0) problems.push('empty message');
	if (embeds.length > limits.embeds) problems.push(`${embeds.length} embeds > ${limits.embeds}`);
	let total = 0;
	embeds.forEach((embed, index) => {
		const at = `embed ${index}`;
		total += embedChars(embed);
		if (embed.title !== undefined && (embed.title.length > limits.title || embed.title.length === 0)) problems.push(`${at} title length ${embed.title.length}`);
		if (embed.description !== undefined && (embed.description.length > limits.description || embed.description.length === 0)) problems.push(`${at} description length ${embed.description.length}`);
		if (embed.footer && (embed.footer.text.length > limits.footer || embed.footer.text.trim().length === 0)) problems.push(`${at} footer length ${embed.footer.text.length}`);
		if (embed.author && embed.author.name.length > limits.author) problems.push(`${at} author length ${embed.author.name.length}`);
		const fields = embed.fields ?? [];
		if (fields.length > limits.fields) problems.push(`${at} has ${fields.length} fields > ${limits.fields}`);
		fields.forEach((field, fieldIndex) => {
			if (field.name.trim().length === 0 || field.name.length > limits.fieldName) problems.push(`${at} field ${fieldIndex} name length ${field.name.length}`);
			if (field.value.trim().length === 0 || field.value.length > limits.fieldValue) problems.push(`${at} field ${fieldIndex} value length ${field.value.length}`);
		});
		if (embed.color !== undefined && (!Number.isInteger(embed.color) || embed.color < 0 || embed.color > 0xffffff)) problems.push(`${at} color ${embed.color}`);
		if (embed.timestamp !== undefined && Number.isNaN(Date.parse(embed.timestamp))) problems.push(`${at} timestamp ${embed.timestamp}`);
		if (embedChars(embed) === 0 && !embed.image && !embed.thumbnail) problems.push(`${at} is empty`);
	});
	if (total > limits.embedTotalChars) problems.push(`embeds total ${total} chars > ${limits.embedTotalChars}`);
	if (files.length > limits.files) problems.push(`${files.length} files > ${limits.files}`);
	const bytes = files.reduce((sum, file) => sum + file.data.length, 0);
	if (bytes > limits.fileBytes) problems.push(`files total ${bytes} bytes > ${limits.fileBytes}`);
	if (body.allowed_mentions?.parse?.length !== 0) problems.push('allowed_mentions must be { parse: [] }');
	return problems;
}
