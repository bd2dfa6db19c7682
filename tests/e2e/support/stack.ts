import { DiscordSandbox, seedGuild, type SandboxOptions, type RecordedRequest } from '../../../sandbox/index.js';

/** The config defaults; the default test guild has these channels so reports have somewhere to go. */
export const REPORT_CHANNEL_IDS = {
	diagnostics: '1419516681427882115',
	logs: '1419517784135700561',
	analytics: '1419858425424253039',
	performance: '1420213631030661130'
};

export function seedGuildWithReportChannels(options: Parameters<typeof seedGuild>[0] = {}) {
	return seedGuild({
		...options,
		extraChannels: [...Object.entries(REPORT_CHANNEL_IDS).map(([name, id]) => ({ id, name: `nexus-${name}` })), ...(options.extraChannels ?? [])]
	});
}
import { isolatedEnv, removeDir, startBotProcess, type BotProcess } from '../../../scripts/support/botProcess.js';

export interface Stack {
	sandbox: DiscordSandbox;
	bot: BotProcess;
	stop(): Promise<void>;
	/** Starts a new bot process on the same data dir and env (a restart, as pm2 would do). */
	restartBot(signal?: NodeJS.Signals): Promise<BotProcess>;
}

export interface StackOptions {
	sandbox?: SandboxOptions;
	env?: Record<string, string | undefined>;
	/** Extra node flags for the bot process (e.g. --inspect to reach into it from a test). */
	nodeArgs?: string[];
}

/** Resolves with a request that already happened or the next one that matches. */
export function requestMatching(sandbox: DiscordSandbox, predicate: (r: RecordedRequest) => boolean, timeoutMs = 30_000): Promise<RecordedRequest> {
	const past = sandbox.findRequests(predicate);
	if (past.length > 0) return Promise.resolve(past[0]!);
	return sandbox.waitForRequest(predicate, timeoutMs);
}

export const isCommandRegistration = (r: RecordedRequest) => r.method === 'PUT' && /\/applications\/\d+\/(guilds\/\d+\/)?commands$/.test(r.path);

export async function waitForBotReady(sandbox: DiscordSandbox, bot: BotProcess): Promise<void> {
	await bot.waitForLine(/Nexus ready as/, 45_000);
	await requestMatching(sandbox, isCommandRegistration, 30_000);
}

export async function stopBot(bot: BotProcess, timeoutMs = 15_000) {
	if (bot.proc.exitCode !== null || bot.proc.signalCode !== null) return bot.exited;
	bot.kill('SIGTERM');
	const timer = setTimeout(() => bot.kill('SIGKILL'), timeoutMs);
	const result = await bot.exited;
	clearTimeout(timer);
	return result;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
	const sandbox = await DiscordSandbox.start({ guilds: [seedGuildWithReportChannels()], ...options.sandbox });
	const { env, dataDir } = isolatedEnv(sandbox.apiUrl, options.env);
	const stack: Stack = {
		sandbox,
		bot: startBotProcess(env, dataDir, undefined, options.nodeArgs),
		async restartBot(signal = 'SIGTERM') {
			if (signal === 'SIGKILL') {
				stack.bot.kill('SIGKILL');
				await stack.bot.exited;
			} else await stopBot(stack.bot);
			stack.bot = startBotProcess(env, dataDir, undefined, options.nodeArgs);
			await stack.bot.waitForLine(/Nexus ready as/, 45_000);
			return stack.bot;
		},
		async stop() {
			await stopBot(stack.bot);
			await sandbox.stop();
			removeDir(dataDir);
		}
	};
	try {
		await waitForBotReady(sandbox, stack.bot);
	} catch (error) {
		await stack.stop();
		throw error;
	}
	return stack;
}
