import { IdentifyRateGuard } from './IdentifyRateGuard.js';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { Intent, requiredIntent } from './intents.js';
import { guildCreatePayload } from './payloads.js';
import type { SandboxState } from './SandboxState.js';
import { shardForGuild } from './snowflake.js';
import type { BotUser, GatewayFrame, MemberObject } from './types.js';

export interface GatewaySession {
	id: string;
	shardId: number;
	shardCount: number;
	intents: number;
	largeThreshold: number;
	/** Last sequence number sent in this session (per session, like Discord). */
	seq: number;
	/** Recent dispatch frames for RESUME replay. */
	buffer: Array<{ seq: number; frame: string }>;
	/** Current connection, null while the client is disconnected (dispatches are buffered meanwhile). */
	socket: WebSocket | null;
	ready: boolean;
	invalid: boolean;
	identifiedAt: number;
	resumes: number;
}

export interface GatewayDeps {
	state: SandboxState;
	botUser: BotUser;
	applicationId: string;
	/** ws://host:port/gateway, without query (the client appends ?v=10&encoding=json). */
	gatewayUrl: () => string;
	heartbeatIntervalMs: number;
	/** When set, IDENTIFY/RESUME with another token are refused (close 4004). */
	token?: string;
	now: () => number;
	log: (line: string) => void;
	onFrame: (frame: GatewayFrame) => void;
	/** Identify rate per max_concurrency bucket (bot-wide); 'enforce' answers an early IDENTIFY with op 9 like Discord. */
	identifyGuard?: { guard: IdentifyRateGuard; enforce: boolean };
}

/** Dispatch data, or a builder giving each session its own payload (undefined = skip that session). */
export type DispatchData = unknown | ((session: GatewaySession) => unknown);

interface Connection {
	ws: WebSocket;
	session: GatewaySession | null;
}

/** Frames kept per session for resume; older gaps answer op 9 like an expired session. */
const REPLAY_BUFFER = 5000;
const MEMBERS_PER_CHUNK = 1000;

const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, PresenceUpdate: 3, VoiceStateUpdate: 4, Resume: 6, Reconnect: 7, RequestGuildMembers: 8, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;

/**
 * The WebSocket gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE per guild of the shard, heartbeats,
 * RESUME with replay, REQUEST_GUILD_MEMBERS chunks, and dispatches filtered by the session's intents.
 */
export class GatewayServer {
	public readonly sessions = new Map<string, GatewaySession>();
	private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
	private readonly readyListeners = new Set<() => void>();

	public constructor(private readonly deps: GatewayDeps) {}

	public handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		const url = new URL(req.url ?? '/', 'http://sandbox');
		if (url.pathname !== '/gateway' && url.pathname !== '/gateway/') {
			socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
			return;
		}
		this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
	}

	/** Sessions that receive events of a guild: (guild_id >> 22) % shard_count === shard_id. */
	public sessionsForGuild(guildId: string): GatewaySession[] {
		return [...this.sessions.values()].filter((s) => !s.invalid && shardForGuild(guildId, s.shardCount) === s.shardId);
	}

	/**
	 * Sends a dispatch to every session owning `guildId` (every session when null), skipping sessions
	 * without the intent the event needs, and blanking message content without MessageContent.
	 */
	public dispatch(guildId: string | null, t: string, d: DispatchData): number {
		const targets = guildId === null ? [...this.sessions.values()].filter((s) => !s.invalid) : this.sessionsForGuild(guildId);
		const inGuild = guildId !== null || Boolean(d && typeof d === 'object' && 'guild_id' in (d as object));
		const intent = requiredIntent(t, inGuild);
		let json: string | undefined;
		let blankedJson: string | undefined;
		let delivered = 0;
		for (const session of targets) {
			if (intent !== 0 && (session.intents & intent) === 0) continue;
			let frameData: string;
			if (typeof d === 'function') {
				const built = (d as (s: GatewaySession) => unknown)(session);
				if (built === undefined) continue;
				frameData = JSON.stringify(built);
			} else if ((t === 'MESSAGE_CREATE' || t === 'MESSAGE_UPDATE') && (session.intents & Intent.MessageContent) === 0 && !this.contentExempt(d)) {
				blankedJson ??= JSON.stringify(blankContent(d as Record<string, unknown>));
				frameData = blankedJson;
			} else {
				json ??= JSON.stringify(d);
				frameData = json;
			}
			this.deliver(session, t, frameData);
			delivered++;
		}
		return delivered;
	}

	/** Closes the live sockets (all, or one shard's) with `code`; sessions stay resumable. */
	public closeSockets(code: number, shardId?: number, reason = 'Sandbox closed the connection'): number {
		let closed = 0;
		for (const session of this.sessions.values()) {
			if (shardId !== undefined && session.shardId !== shardId) continue;
			if (session.socket && session.socket.readyState === WebSocket.OPEN) {
				session.socket.close(code, reason);
				closed++;
			}
		}
		return closed;
	}

	/** Sends op 7 Reconnect: the client reconnects and resumes. */
	public requestReconnect(shardId?: number): void {
		for (const session of this.sessions.values()) {
			if (shardId !== undefined && session.shardId !== shardId) continue;
			if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify({ op: Op.Reconnect, d: null }));
		}
	}

	/** Sends op 9 (not resumable) and forgets the session: the client must IDENTIFY again. */
	public invalidateSessions(shardId?: number): void {
		for (const session of [...this.sessions.values()]) {
			if (shardId !== undefined && session.shardId !== shardId) continue;
			session.invalid = true;
			if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify({ op: Op.InvalidSession, d: false }));
			this.sessions.delete(session.id);
		}
	}

	/** Drops every socket abruptly (the client sees 1006), as when the host goes down. */
	public terminateAll(): void {
		for (const ws of this.wss.clients) ws.terminate();
	}

	public isReady(shardId: number): boolean {
		return [...this.sessions.values()].some((s) => s.shardId === shardId && s.ready && !s.invalid && s.socket?.readyState === WebSocket.OPEN);
	}

	/** Resolves once `check()` holds, re-checked after every READY/RESUMED. */
	public waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
		if (check()) return Promise.resolve();
		return new Promise((resolve, reject) => {
			const listener = () => {
				if (!check()) return;
				clearTimeout(timer);
				this.readyListeners.delete(listener);
				resolve();
			};
			const timer = setTimeout(() => {
				this.readyListeners.delete(listener);
				reject(new Error(`Sandbox: timed out after ${timeoutMs} ms waiting for ${what}`));
			}, timeoutMs);
			this.readyListeners.add(listener);
		});
	}

	public close(): void {
		this.terminateAll();
		this.wss.close();
		this.sessions.clear();
	}

	// ---- connection handling ------------------------------------------------------------------

	private onConnection(ws: WebSocket, url: URL): void {
		const encoding = url.searchParams.get('encoding') ?? 'json';
		if (encoding !== 'json') {
			ws.close(4002, 'The sandbox speaks JSON encoding only');
			return;
		}
		const conn: Connection = { ws, session: null };
		ws.on('message', (data) => this.onMessage(conn, data));
		ws.on('close', () => {
			if (conn.session?.socket === ws) conn.session.socket = null;
		});
		ws.on('error', (error) => this.deps.log(`gateway socket error: ${error.message}`));
		ws.send(JSON.stringify({ op: Op.Hello, d: { heartbeat_interval: this.deps.heartbeatIntervalMs, _trace: ['["discord-sandbox",{}]'] } }));
	}

	private onMessage(conn: Connection, data: RawData): void {
		let payload: { op?: unknown; d?: unknown };
		try {
			payload = JSON.parse(data.toString());
		} catch {
			conn.ws.close(4002, 'Error while decoding payload.');
			return;
		}
		const op = Number(payload.op);
		const d = payload.d as Record<string, unknown> | null;
		this.deps.onFrame({
			at: this.deps.now(),
			sessionId: conn.session?.id ?? (op === Op.Resume ? String(d?.session_id ?? '') || null : null),
			shardId: conn.session?.shardId ?? null,
			op,
			d: d && typeof d === 'object' && 'token' in d ? { ...d, token: 'REDACTED' } : d
		});
		switch (op) {
			case Op.Heartbeat:
				conn.ws.send(JSON.stringify({ op: Op.HeartbeatAck }));
				return;
			case Op.Identify:
				this.identify(conn, d ?? {});
				return;
			case Op.Resume:
				this.resume(conn, d ?? {});
				return;
			case Op.RequestGuildMembers:
			case Op.PresenceUpdate:
			case Op.VoiceStateUpdate:
				if (!conn.session) {
					conn.ws.close(4003, 'Not authenticated.');
					return;
				}
				if (op === Op.RequestGuildMembers) this.requestGuildMembers(conn.session, d ?? {});
				return;
			default:
				conn.ws.close(4001, 'Unknown opcode.');
		}
	}

	/** IDENTIFY and RESUME: closes the socket (4005 / 4004) unless this is the connection's first auth and the token matches. */
	private mayAuthenticate(conn: Connection, d: Record<string, unknown>): boolean {
		if (conn.session) {
			conn.ws.close(4005, 'Already authenticated.');
			return false;
		}
		if (this.deps.token !== undefined && d.token !== this.deps.token) {
			conn.ws.close(4004, 'Authentication failed.');
			return false;
		}
		return true;
	}

	private identify(conn: Connection, d: Record<string, unknown>): void {
		if (!this.mayAuthenticate(conn, d)) return;
		const [shardId, shardCount] = Array.isArray(d.shard) ? (d.shard as unknown[]).map(Number) : [0, 1];
		if (!Number.isInteger(shardId) || !Number.isInteger(shardCount) || shardCount < 1 || shardId < 0 || shardId >= shardCount) {
			conn.ws.close(4010, 'Invalid shard.');
			return;
		}
		const intents = Number(d.intents);
		if (!Number.isInteger(intents) || intents < 0) {
			conn.ws.close(4013, 'Invalid intent(s).');
			return;
		}
		const guard = this.deps.identifyGuard;
		if (guard && !guard.guard.admit(shardId) && guard.enforce) {
			this.deps.log(`gateway: shard ${shardId} identified too soon for its max_concurrency bucket: op 9`);
			conn.ws.send(JSON.stringify({ op: Op.InvalidSession, d: false }));
			return;
		}
		// A fresh IDENTIFY for a shard abandons that shard's disconnected sessions.
		for (const old of [...this.sessions.values()]) {
			if (old.shardId === shardId && old.shardCount === shardCount && old.socket === null) this.sessions.delete(old.id);
		}
		const session: GatewaySession = {
			id: randomBytes(16).toString('hex'),
			shardId,
			shardCount,
			intents,
			largeThreshold: Math.min(250, Math.max(50, Number(d.large_threshold) || 50)),
			seq: 0,
			buffer: [],
			socket: conn.ws,
			ready: false,
			invalid: false,
			identifiedAt: this.deps.now(),
			resumes: 0
		};
		this.sessions.set(session.id, session);
		conn.session = session;

		const guilds = [...this.deps.state.guilds.values()].filter((g) => shardForGuild(g.id, shardCount) === shardId);
		this.deliver(
			session,
			'READY',
			JSON.stringify({
				v: 10,
				user_settings: {},
				user: this.deps.botUser,
				guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
				session_id: session.id,
				session_type: 'normal',
				resume_gateway_url: this.deps.gatewayUrl(),
				shard: [shardId, shardCount],
				application: { id: this.deps.applicationId, flags: 0 },
				private_channels: [],
				presences: [],
				relationships: [],
				guild_join_requests: [],
				geo_ordered_rtc_regions: ['sandbox'],
				auth: {},
				_trace: ['["discord-sandbox",{}]']
			})
		);
		for (const guild of guilds) {
			this.deliver(session, 'GUILD_CREATE', JSON.stringify(guildCreatePayload(this.deps.state, guild, this.guildCreateOptions(session))));
		}
		session.ready = true;
		this.deps.log(`gateway: shard ${shardId}/${shardCount} identified (intents ${intents}), ${guilds.length} guild(s)`);
		this.notifyReady();
	}

	/** How GUILD_CREATE looks for this session (member list rule and voice states depend on intents). */
	public guildCreateOptions(session: GatewaySession) {
		return {
			allMembers: (session.intents & Intent.GuildPresences) !== 0,
			voiceStates: (session.intents & Intent.GuildVoiceStates) !== 0,
			largeThreshold: session.largeThreshold,
			botUserId: this.deps.botUser.id
		};
	}

	private resume(conn: Connection, d: Record<string, unknown>): void {
		if (!this.mayAuthenticate(conn, d)) return;
		const session = this.sessions.get(String(d.session_id));
		const seq = Number(d.seq ?? 0);
		const oldest = session?.buffer[0]?.seq ?? (session ? session.seq + 1 : 0);
		if (!session || session.invalid || (seq < session.seq && oldest > seq + 1)) {
			conn.ws.send(JSON.stringify({ op: Op.InvalidSession, d: false }));
			if (session) this.sessions.delete(session.id);
			return;
		}
		if (session.socket && session.socket !== conn.ws) session.socket.terminate();
		session.socket = conn.ws;
		conn.session = session;
		session.resumes++;
		let replayed = 0;
		for (const entry of session.buffer) {
			if (entry.seq > seq) {
				conn.ws.send(entry.frame);
				replayed++;
			}
		}
		this.deliver(session, 'RESUMED', JSON.stringify({ _trace: ['["discord-sandbox",{}]'] }));
		this.deps.log(`gateway: shard ${session.shardId} resumed session ${session.id.slice(0, 8)}, replayed ${replayed} event(s)`);
		this.notifyReady();
	}

	private requestGuildMembers(session: GatewaySession, d: Record<string, unknown>): void {
		const guildIds = (Array.isArray(d.guild_id) ? d.guild_id : [d.guild_id]).map(String);
		const nonce = typeof d.nonce === 'string' ? d.nonce : undefined;
		const query = typeof d.query === 'string' ? d.query : undefined;
		const limit = Number(d.limit ?? 0);
		const userIds = d.user_ids === undefined || d.user_ids === null ? undefined : (Array.isArray(d.user_ids) ? d.user_ids : [d.user_ids]).map(String);
		for (const guildId of guildIds) {
			const guild = this.deps.state.guild(guildId);
			if (!guild || shardForGuild(guildId, session.shardCount) !== session.shardId) continue;
			let members: MemberObject[];
			let notFound: string[] | undefined;
			if (userIds) {
				members = userIds.map((id) => guild.members.get(id)).filter((m): m is MemberObject => m !== undefined);
				notFound = userIds.filter((id) => !guild.members.has(id));
			} else if (!query && limit === 0) {
				// Discord only answers a full member list request with the GuildMembers intent.
				if ((session.intents & Intent.GuildMembers) === 0) {
					this.deps.log(`gateway: REQUEST_GUILD_MEMBERS for the full list of ${guildId} without the GuildMembers intent: not answered (as Discord)`);
					continue;
				}
				members = [...guild.members.values()];
			} else {
				const needle = (query ?? '').toLowerCase();
				const max = Math.min(100, limit || 100);
				members = [];
				for (const member of guild.members.values()) {
					if (member.user.username.toLowerCase().startsWith(needle) || member.nick?.toLowerCase().startsWith(needle)) members.push(member);
					if (members.length >= max) break;
				}
			}
			const chunkCount = Math.max(1, Math.ceil(members.length / MEMBERS_PER_CHUNK));
			for (let index = 0; index < chunkCount; index++) {
				const chunk: Record<string, unknown> = {
					guild_id: guildId,
					members: members.slice(index * MEMBERS_PER_CHUNK, (index + 1) * MEMBERS_PER_CHUNK),
					chunk_index: index,
					chunk_count: chunkCount
				};
				if (index === 0 && notFound?.length) chunk.not_found = notFound;
				if (d.presences) chunk.presences = [];
				if (nonce !== undefined) chunk.nonce = nonce;
				this.deliver(session, 'GUILD_MEMBERS_CHUNK', JSON.stringify(chunk));
			}
		}
	}

	private deliver(session: GatewaySession, t: string, dJson: string): void {
		const seq = ++session.seq;
		const frame = `{"op":0,"s":${seq},"t":"${t}","d":${dJson}}`;
		session.buffer.push({ seq, frame });
		if (session.buffer.length > REPLAY_BUFFER * 2) session.buffer.splice(0, session.buffer.length - REPLAY_BUFFER);
		if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(frame);
	}

	/** Discord keeps content for the bot's own messages and messages that mention it. */
	private contentExempt(d: unknown): boolean {
		const message = d as { author?: { id?: string }; mentions?: Array<{ id?: string }> };
		const botId = this.deps.botUser.id;
		return message?.author?.id === botId || (message?.mentions ?? []).some((u) => u?.id === botId);
	}

	private notifyReady(): void {
		for (const listener of [...this.readyListeners]) listener();
	}
}

function blankContent(message: Record<string, unknown>): Record<string, unknown> {
	const copy: Record<string, unknown> = { ...message, content: '', embeds: [], attachments: [], components: [] };
	delete copy.poll;
	return copy;
}
