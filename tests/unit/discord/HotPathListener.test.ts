import { EventEmitter } from 'node:events';
import { container, Events, Listener } from '@sapphire/framework';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HotPathListener } from '#lib/discord/HotPathListener.js';

type Callback = (...args: unknown[]) => Promise<void>;
const context = { name: 'hot', root: '/', path: '/hot.js', store: null } as unknown as Listener.LoaderContext;
const callbackOf = (listener: Listener) => (listener as unknown as { _listener: Callback | null })._listener!;

describe('HotPathListener', () => {
	const errors: { error: unknown; piece: unknown }[] = [];
	const client = new EventEmitter();
	let previousClient: unknown;
	beforeEach(() => {
		errors.length = 0;
		previousClient = container.client;
		container.client = client as never;
		client.on(Events.ListenerError, (error, payload: { piece: unknown }) => errors.push({ error, piece: payload.piece }));
	});
	afterEach(() => {
		client.removeAllListeners();
		container.client = previousClient as never;
	});

	it('runs the handler at once, with one shared settled promise instead of two new ones per event', () => {
		const seen: unknown[][] = [];
		class Hot extends HotPathListener {
			public override run(...args: unknown[]) {
				seen.push(args);
			}
		}
		const hot = new Hot(context, { emitter: new EventEmitter(), event: 'packet' });
		const first = callbackOf(hot)('a', 1);
		expect(seen).toEqual([['a', 1]]); // before any microtask
		expect(callbackOf(hot)('b', 2)).toBe(first);

		// Sapphire's own listener makes a new promise per call: what this class is for.
		class Plain extends Listener {
			public override run() {}
		}
		const plain = new Plain(context, { emitter: new EventEmitter(), event: 'packet' });
		expect(callbackOf(plain)()).not.toBe(callbackOf(plain)());
	});

	it('reports a throw and a rejection as ListenerError, like Sapphire', async () => {
		class Throws extends HotPathListener {
			public override run(kind: unknown) {
				if (kind === 'throw') throw new Error('sync boom');
				return Promise.reject(new Error('async boom'));
			}
		}
		const hot = new Throws(context, { emitter: new EventEmitter(), event: 'packet' });
		await callbackOf(hot)('throw');
		await callbackOf(hot)('reject');
		await new Promise((resolve) => setImmediate(resolve));
		expect(errors.map((entry) => (entry.error as Error).message)).toEqual(['sync boom', 'async boom']);
		expect(errors.every((entry) => entry.piece === hot)).toBe(true);
	});
});
