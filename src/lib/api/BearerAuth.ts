import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` against the configured API token in constant time.
 * Both sides are hashed first, so the comparison always runs on two 32-byte buffers: neither the
 * token's length nor how many leading characters matched shows in the timing.
 */
export class BearerAuth {
	private readonly expected: Buffer;

	public constructor(token: string) {
		if (token.length === 0) throw new Error('BearerAuth needs a non-empty token');
		this.expected = digest(token);
	}

	/** True when the header carries exactly the token (scheme case-insensitive, as RFC 7235 says). */
	public verify(header: string | string[] | undefined): boolean {
		const value = Array.isArray(header) ? header[0] : header;
		const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value ?? '')?.[1] ?? '';
		// Compare even when nothing was presented, so a missing header costs the same time as a wrong one.
		const match = timingSafeEqual(digest(presented), this.expected);
		return match && presented.length > 0;
	}
}

function digest(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}
