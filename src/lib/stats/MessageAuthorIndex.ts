import { LRUCache } from 'lru-cache';

/**
 * Discord's MESSAGE_REACTION_ADD names the message's author (`message_author_id`) but REMOVE does
 * not. Remembering the author of recently reacted-to messages lets a removal take back the
 * "received" count too. Bounded LRU: memory stays flat however many messages get reactions; a
 * removal on a message older than the window only takes back the "given" count.
 */
export class MessageAuthorIndex {
	private readonly authors: LRUCache<string, string>;

	public constructor(max = 50_000) {
		this.authors = new LRUCache({ max });
	}

	public remember(messageId: string, authorId: string): void {
		this.authors.set(messageId, authorId);
	}

	public authorOf(messageId: string): string | undefined {
		return this.authors.get(messageId);
	}

	public get size(): number {
		return this.authors.size;
	}
}
