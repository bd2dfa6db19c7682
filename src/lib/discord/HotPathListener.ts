import { Events, Listener } from '@sapphire/framework';
import type { ClientEvents } from 'discord.js';

const DONE: Promise<void> = Promise.resolve();

/**
 * A listener for gateway events that arrive thousands of times a second (messages, reactions, voice,
 * every raw packet). Sapphire's Listener runs each call in an async wrapper around a Result, two
 * promises and a few objects per event: 2.6 µs a message for our two message listeners in a CPU
 * profile of bench/lean, about 8 % of the bot's cost per message. This one calls `run()` directly and
 * reports a throw, or a rejection, as Sapphire does (the ListenerError event). `run()` of a hot-path
 * listener should be synchronous; nothing here awaits it.
 */
export abstract class HotPathListener<E extends keyof ClientEvents | symbol = ''> extends Listener<E> {
	public constructor(context: Listener.LoaderContext, options: Listener.Options = {}) {
		super(context, options);
		// Sapphire binds its async wrapper in the constructor and attaches whatever `_listener` holds when the piece loads.
		const self = this as unknown as { _listener: ((...args: unknown[]) => Promise<void>) | null };
		if (self._listener === null || this.once) return;
		self._listener = (...args: unknown[]) => {
			try {
				const result = (this.run as (...values: unknown[]) => unknown)(...args);
				if (result instanceof Promise) result.catch((error: unknown) => this.reportError(error));
			} catch (error) {
				this.reportError(error);
			}
			return DONE;
		};
	}

	private reportError(error: unknown): void {
		this.container.client.emit(Events.ListenerError, error, { piece: this });
	}
}
