import { describe, expect, it } from 'vitest';
import { apiRouteLabel } from '#lib/api/apiRouteLabel.js';

describe('apiRouteLabel', () => {
	it('uses the declared route path, never the URL', () => {
		expect(apiRouteLabel({ route: { path: ['api', 'metrics'] } })).toBe('api/metrics');
		expect(apiRouteLabel({ route: { path: ['dashboard', '[asset]'] } })).toBe('dashboard/[asset]');
		expect(apiRouteLabel({ route: { path: [] } })).toBe('/');
	});

	it('falls back to the matched node (wrong method) or one bucket for unknown paths', () => {
		expect(apiRouteLabel({ route: null, routerNode: { path: 'api/health' } })).toBe('api/health');
		expect(apiRouteLabel({ route: null, routerNode: null })).toBe('unmatched');
		expect(apiRouteLabel({})).toBe('unmatched');
	});
});
