import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
	body: Buffer;
	contentType: string;
	cacheControl: string;
}

/** The dashboard's files: the page, its script and styles, and Chart.js. All served by the bot itself, no CDN. */
const FILES = {
	'index.html': { type: 'text/html; charset=utf-8' },
	'app.js': { type: 'text/javascript; charset=utf-8' },
	'style.css': { type: 'text/css; charset=utf-8' },
	'chart.js': { type: 'text/javascript; charset=utf-8' }
} as const;

export type DashboardAssetName = keyof typeof FILES;

/** The page may only load what the bot serves, and may not be framed. */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Reads the dashboard's static files once, on first use: `dashboard/` at the package root (plain
 * HTML/CSS/JS, edited as such; tsc does not copy non-TS files, so they are read from the source
 * tree, which works the same from dist/ and from src/), and Chart.js's UMD build from node_modules.
 */
export class DashboardAssets {
	private readonly cache = new Map<DashboardAssetName, DashboardAsset>();
	private readonly directory: string;
	private readonly chartJsPath: string;

	public constructor(options: { directory?: string; chartJsPath?: string } = {}) {
		// dist/lib/api/ and src/lib/api/ are both three levels below the package root.
		this.directory = options.directory ?? fileURLToPath(new URL('../../../dashboard/', import.meta.url));
		this.chartJsPath = options.chartJsPath ?? join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
	}

	public static isAsset(name: string): name is DashboardAssetName {
		return Object.hasOwn(FILES, name);
	}

	public get(name: DashboardAssetName): DashboardAsset {
		let asset = this.cache.get(name);
		if (!asset) {
			const path = name === 'chart.js' ? this.chartJsPath : join(this.directory, name);
			asset = {
				body: readFileSync(path),
				contentType: FILES[name].type,
				// Chart.js changes only with a dependency update; our own files may change at any deploy.
				cacheControl: name === 'chart.js' ? 'public, max-age=86400' : 'no-cache'
			};
			this.cache.set(name, asset);
		}
		return asset;
	}
}

/** Writes one asset with the headers that keep the page locked to this origin. */
export function sendDashboardAsset(response: ServerResponse, asset: DashboardAsset): void {
	response.setHeader('Content-Type', asset.contentType);
	response.setHeader('Cache-Control', asset.cacheControl);
	response.setHeader('Content-Security-Policy', DASHBOARD_CSP);
	response.setHeader('X-Content-Type-Options', 'nosniff');
	response.setHeader('Referrer-Policy', 'no-referrer');
	response.statusCode = 200;
	response.end(asset.body);
}
