/** Bounded classes of Discord REST routes: safe as a metrics label (ids and tokens never leak into it). */
export const REST_ROUTE_CLASSES = ['interactions', 'webhooks', 'messages', 'commands', 'channels', 'guilds', 'users', 'gateway', 'other'] as const;
export type RestRouteClass = (typeof REST_ROUTE_CLASSES)[number];

export function restRouteClass(pathOrUrl: string): RestRouteClass {
	let path = pathOrUrl;
	const scheme = path.indexOf('://');
	if (scheme !== -1) path = path.slice(path.indexOf('/', scheme + 3) >>> 0);
	const query = path.indexOf('?');
	if (query !== -1) path = path.slice(0, query);
	// Drop an optional /api and /v10 prefix so the first segment names the resource.
	const segments = path.split('/').filter(Boolean);
	let index = 0;
	if (segments[index] === 'api') index++;
	if (segments[index] && /^v\d+$/.test(segments[index])) index++;
	const head = segments[index];
	const rest = segments.slice(index + 1);
	switch (head) {
		case 'interactions':
			return 'interactions';
		case 'webhooks':
			return 'webhooks';
		case 'applications':
			return rest.includes('commands') ? 'commands' : 'other';
		case 'channels':
			return rest.includes('messages') ? 'messages' : 'channels';
		case 'guilds':
			return 'guilds';
		case 'users':
			return 'users';
		case 'gateway':
			return 'gateway';
		default:
			return 'other';
	}
}
