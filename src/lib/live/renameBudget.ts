export interface RenameLimit {
	/** Renames allowed per window (Discord: 2). */
	limit: number;
	/** Discord: 10 minutes. */
	windowMs: number;
	/** Added to the window: our clock and Discord's never agree to the millisecond, and a 429 here costs a whole window. */
	marginMs: number;
}

/** Milliseconds until another rename fits in the budget (0 = now). `renames` are epoch ms, any order. */
export function renameWait(renames: readonly number[], now: number, limit: RenameLimit): number {
	const recent = renames.filter((at) => at > now - limit.windowMs - limit.marginMs).sort((a, b) => a - b);
	if (recent.length < limit.limit) return 0;
	return recent[recent.length - limit.limit]! + limit.windowMs + limit.marginMs - now;
}

/** The rename history after a rename at `at`: only what can still count against the budget. */
export function recordRename(renames: readonly number[], at: number, limit: RenameLimit): number[] {
	return [...renames.filter((at2) => at2 > at - limit.windowMs - limit.marginMs), at].sort((a, b) => a - b).slice(-limit.limit);
}
