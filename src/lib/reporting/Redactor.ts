/**
 * Masks secrets in text before it leaves the process (Discord messages, JSON attachments, the
 * stderr fallback, the disk spool). Four kinds of secret:
 * - configured values (bot token, API token, DB/Redis passwords), matched exactly;
 * - anything shaped like a Discord token (three dot-separated base64url parts), so a token that is
 *   not in the config (another bot's, a rotated one) is caught too;
 * - `Authorization`-style `Bot xxx` / `Bearer xxx` values;
 * - passwords in URLs (`scheme://user:PASS@host`).
 *
 * Structured data is redacted value by value (see plainData.ts), never as serialized JSON text.
 */
export const REDACTED = '[REDACTED]';

/** user id (base64 of 17-20 digits) . timestamp . HMAC; plus the legacy `mfa.` user tokens. */
const DISCORD_TOKEN = /(?<![A-Za-z\d_-])(?:[MNO][A-Za-z\d_-]{19,29}\.[A-Za-z\d_-]{5,7}\.[A-Za-z\d_-]{20,45}|mfa\.[A-Za-z\d_-]{20,})(?![A-Za-z\d_-])/g;
const AUTH_HEADER = /\b(Bot|Bearer)\s+(?!\[REDACTED\])[A-Za-z\d._~+/=-]{8,}/g;
/** scheme://user:password@ — the password may not contain whitespace, `@`, `/`, quotes or backslashes. */
const URL_PASSWORD = /\b([a-z][a-z\d+.-]*:\/\/[^\s:@/"\\]*:)([^\s@/"\\]+)@/gi;

export class Redactor {
	private readonly secrets: readonly string[];

	/** Secrets shorter than 4 characters are ignored: masking "a" everywhere would destroy every text. */
	public constructor(secrets: readonly string[] = []) {
		// Longest first, so a secret that contains another one is masked as a whole.
		this.secrets = [...new Set(secrets.filter((secret) => typeof secret === 'string' && secret.length >= 4))].sort((a, b) => b.length - a.length);
	}

	public redact(text: string): string {
		let out = text;
		for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
		// Cheap pre-checks skip the regexes for the common text without any candidate.
		if (out.includes('.')) out = out.replace(DISCORD_TOKEN, REDACTED);
		if (out.includes('Bot') || out.includes('Bearer')) out = out.replace(AUTH_HEADER, `$1 ${REDACTED}`);
		if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1${REDACTED}@`);
		return out;
	}
}
