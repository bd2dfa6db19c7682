import { createRequire } from 'node:module';

/** The bot's version from package.json, read once at load. */
export const BOT_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
