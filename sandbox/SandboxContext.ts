import type { GatewayServer } from './GatewayServer.js';
import type { ChannelRenameLimiter } from './ChannelRenameLimiter.js';
import type { MessageService } from './MessageService.js';
import type { SandboxState } from './SandboxState.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { BotUser, User } from './types.js';

/** What REST route modules need from the sandbox, passed explicitly instead of the whole class. */
export interface SandboxContext {
	readonly state: SandboxState;
	readonly ids: SnowflakeGenerator;
	readonly botUser: BotUser;
	readonly applicationId: string;
	readonly applicationOwner: User;
	readonly gateway: GatewayServer;
	readonly messages: MessageService;
	readonly validate: boolean;
	/** Renames per channel (Discord: 2 per 10 minutes); null when rate limits are off. */
	readonly channelRenames: ChannelRenameLimiter | null;
	readonly shardCount: number;
	readonly maxConcurrency: number;
	/** First interaction callback must arrive within this (Discord: 3 s). */
	readonly interactionDeadlineMs: number;
	/** Interaction tokens (followups, @original) stay valid this long (Discord: 15 min). */
	readonly interactionTokenTtlMs: number;
	readonly now: () => number;
	readonly log: (line: string) => void;
	/** http://127.0.0.1:PORT */
	url(): string;
	/** ws://127.0.0.1:PORT/gateway */
	gatewayUrl(): string;
}
