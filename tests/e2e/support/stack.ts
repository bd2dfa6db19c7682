import { DiscordSandbox, type SandboxOptions, type RecordedRequest } from '../../../sandbox/index.js';
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
	const sandbox = await DiscordSandbox.start(options.sandbox);
	const { env, dataDir } = isolatedEnv(sandbox.apiUrl, options.env);
	const stack: Stack = {
		sandbox,
		bot: startBotProcess(env, dataDir),
		async restartBot(signal = 'SIGTERM') {
			if (signal === 'SIGKILL') {
				stack.bot.kill('SIGKILL');
				await stack.bot.exited;
			} else await stopBot(stack.bot);
			stack.bot = startBotProcess(env, dataDir);
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
