import { Events, type Client } from 'discord.js';

/**
 * Shutdown's first step for capture: close this process's gateway connections so no event arrives
 * after the final statistics flush. Tracks the last dispatch sequence number each shard handed to
 * the listeners and logs it on close: every event up to it was counted; anything Discord sent after
 * it was still in flight when the socket closed (no client can read that, and the session ends).
 */
export function gatewayCloser(client: Client, log: { info(message: string): void }): () => Promise<void> {
	const lastSeq = new Map<number, number>();
	let handled = 0;
	client.on(Events.Raw, (...args: unknown[]) => {
		const [packet, shardId] = args as [{ s?: number | null } | undefined, number];
		handled++;
		if (typeof packet?.s === 'number') lastSeq.set(shardId, packet.s);
	});
	return async () => {
		// Frames that arrived while the event loop was busy (a backlog) are read in the next poll phases:
		// keep turning until a round brings nothing new (at most 2 s), then stop reading.
		const until = Date.now() + 2000;
		for (let seen = -1; seen !== handled && Date.now() < until; ) {
			seen = handled;
			for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
		}
		// discord.js marks destroy() private; it is what client.destroy() calls first, without clearing the REST token the reporter still needs.
		await (client.ws as unknown as { destroy(): Promise<void> }).destroy();
		const seqs = [...lastSeq].map(([shard, seq]) => `shard ${shard} #${seq}`).join(', ') || 'none';
		log.info(`Gateway closed for shutdown; last events handled: ${seqs}.`);
	};
}
