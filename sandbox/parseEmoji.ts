/** '👍', 'name:123', '<:name:123>' or '<a:name:123>' -> Discord's emoji object. */
export function parseEmoji(text: string): { id: string | null; name: string; animated?: boolean } {
	const custom = /^<?(a)?:?([\w~-]+):(\d{15,21})>?$/.exec(text);
	if (custom) return { id: custom[3], name: custom[2], ...(custom[1] ? { animated: true } : {}) };
	return { id: null, name: text };
}
