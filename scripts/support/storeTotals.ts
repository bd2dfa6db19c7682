import { existsSync } from 'node:fs';
import type { StoreTotals } from '../../src/lib/stats/statsTypes.js';
import { ROOT } from './botProcess.js';


/** Reads the statistics store the bot left behind, through the bot's own (built) store layer. */
export async function readStoreTotals(options: { sqlitePath: string; databaseUrl?: string }): Promise<StoreTotals | null> {
	const modulePath = `${ROOT}dist/lib/stats/StatsStore.js`;
	if (!existsSync(modulePath)) return null;
	const { StatsStore } = (await import(modulePath)) as typeof import('../../src/lib/stats/StatsStore.js');
	const { databaseTarget } = (await import(`${ROOT}dist/lib/stats/databaseTarget.js`)) as typeof import('../../src/lib/stats/databaseTarget.js');
	const store = await StatsStore.open({ ...databaseTarget(options.databaseUrl), sqlitePath: options.sqlitePath });
	try {
		return await store.summaries.totals();
	} finally {
		await store.close();
	}
}
