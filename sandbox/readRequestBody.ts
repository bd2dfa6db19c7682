import type { IncomingMessage } from 'node:http';
import type { UploadedFile } from './types.js';

export interface ParsedBody {
	/** Parsed JSON (or payload_json of a multipart body); null when the request had no body. */
	body: unknown;
	files: UploadedFile[];
}

export class BodyError extends Error {
	public constructor(public readonly status: number, public readonly payload: { code: number; message: string }) {
		super(payload.message);
	}
}

/** Hard cap on what the sandbox buffers; Discord's own per-message limit (8 MiB) is checked later, per route. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

async function readAll(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > MAX_BODY_BYTES) throw new BodyError(413, { code: 40005, message: 'Request entity too large' });
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/**
 * Reads a REST body: JSON, or multipart/form-data with `payload_json` and `files[N]` parts as
 * discord.js sends them. Multipart is parsed with the runtime's own fetch Response, no extra package.
 */
export async function readRequestBody(req: IncomingMessage): Promise<ParsedBody> {
	const raw = await readAll(req);
	if (raw.length === 0) return { body: null, files: [] };
	const type = String(req.headers['content-type'] ?? '');
	if (type.startsWith('multipart/form-data')) {
		let form: FormData;
		try {
			form = await new Response(raw, { headers: { 'content-type': type } }).formData();
		} catch {
			throw new BodyError(400, { code: 50109, message: 'The request body contains invalid JSON.' });
		}
		let body: unknown = null;
		const files: UploadedFile[] = [];
		for (const [field, value] of form.entries()) {
			if (typeof value === 'string') {
				if (field === 'payload_json') body = parseJson(value);
				continue;
			}
			const data = Buffer.from(await value.arrayBuffer());
			files.push({ field, name: value.name, size: data.length, contentType: value.type || 'application/octet-stream', data });
		}
		return { body, files };
	}
	return { body: parseJson(raw.toString('utf8')), files: [] };
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new BodyError(400, { code: 50109, message: 'The request body contains invalid JSON.' });
	}
}
