/** The request fields the plugin's router fills in (route matched, or only the path with another method). */
export interface RoutedRequest {
	route?: { path: readonly string[] } | null;
	routerNode?: { path: string } | null;
}

/**
 * The `route` label of the API metrics: the route's declared path (e.g. `api/metrics`,
 * `dashboard/[asset]`), never the raw URL, so a scanner requesting random paths adds one series
 * (`unmatched`), not one per path.
 */
export function apiRouteLabel(request: RoutedRequest): string {
	if (request.route) return request.route.path.join('/') || '/';
	if (request.routerNode) return request.routerNode.path || '/';
	return 'unmatched';
}
