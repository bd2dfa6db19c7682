/**
 * Turns whatever a caller put into `event.data` into a JSON-safe tree with every string (keys too)
 * passed through `redact`. Callers hand us Errors, bigints, Maps, Buffers and cyclic objects; none
 * of those may make a report throw (JSON.stringify throws on bigint and cycles) or leak a secret.
 */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

const MAX_DEPTH = 12;

export function toPlainData(value: unknown, redact: (text: string) => string): PlainValue {
	return convert(value, redact, new Set(), 0);
}

function convert(value: unknown, redact: (text: string) => string, seen: Set<object>, depth: number): PlainValue {
	switch (typeof value) {
		case 'string':
			return redact(value);
		case 'number':
			if (!Number.isFinite(value)) return String(value);
			return redactNumber(value, redact);
		case 'boolean':
			return value;
		case 'bigint':
			return redact(value.toString());
		case 'undefined':
			return null;
		case 'symbol':
			return redact(value.toString());
		case 'function':
			return `[Function ${redact(value.name || 'anonymous')}]`;
	}
	if (value === null) return null;
	const object = value as object;
	if (seen.has(object)) return '[Circular]';
	if (depth >= MAX_DEPTH) return Array.isArray(object) ? '[Array]' : '[Object]';
	if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
	if (Buffer.isBuffer(object) || ArrayBuffer.isView(object)) return `[${object.constructor.name} ${(object as ArrayBufferView).byteLength} bytes]`;
	if (object instanceof ArrayBuffer) return `[ArrayBuffer ${object.byteLength} bytes]`;
	seen.add(object);
	try {
		if (object instanceof Error) {
			const out: Record<string, PlainValue> = { name: redact(object.name), message: redact(object.message) };
			if (object.stack) out.stack = redact(object.stack);
			const code = (object as { code?: unknown }).code;
			if (code !== undefined) out.code = convert(code, redact, seen, depth + 1);
			if (object.cause !== undefined) out.cause = convert(object.cause, redact, seen, depth + 1);
			return out;
		}
		if (Array.isArray(object)) return object.map((item) => convert(item, redact, seen, depth + 1));
		if (object instanceof Map) {
			const out: Record<string, PlainValue> = {};
			for (const [key, item] of object) out[redact(String(key))] = convert(item, redact, seen, depth + 1);
			return out;
		}
		if (object instanceof Set) return [...object].map((item) => convert(item, redact, seen, depth + 1));
		const toJSON = (object as { toJSON?: unknown }).toJSON;
		if (typeof toJSON === 'function') {
			try {
				return convert(toJSON.call(object), redact, seen, depth + 1);
			} catch {
				return '[Unserializable]';
			}
		}
		const out: Record<string, PlainValue> = {};
		for (const key of Object.keys(object)) {
			let item: unknown;
			try {
				item = (object as Record<string, unknown>)[key];
			} catch {
				item = '[Getter threw]';
			}
			if (typeof item === 'undefined') continue;
			out[redact(key)] = convert(item, redact, seen, depth + 1);
		}
		return out;
	} finally {
		seen.delete(object);
	}
}

/** A configured secret can be all digits (a numeric password); such a number goes out as a masked string. */
function redactNumber(value: number, redact: (text: string) => string): PlainValue {
	const text = String(value);
	if (text.length < 4) return value;
	const masked = redact(text);
	return masked === text ? value : masked;
}
