import { describe, expect, it } from 'vitest';
import type { VoiceSegment } from '#lib/stats/StatsAggregator.js';
import { VoiceSessionTracker, type VoiceStateSnapshot } from '#lib/stats/VoiceSessionTracker.js';

const T0 = Date.UTC(2026, 0, 5, 10);
const s = (seconds: number) => T0 + seconds * 1000;
const state = (channelId: string | null, extra: Partial<VoiceStateSnapshot> = {}): VoiceStateSnapshot => ({ channelId, muted: false, deafened: false, streaming: false, ...extra });

function setup(minSessionSeconds = 10, trackable?: (guildId: string, channelId: string, parentId?: string | null) => boolean) {
	const segments: VoiceSegment[] = [];
	const tracker = new VoiceSessionTracker({ minSessionSeconds, credit: (segment) => segments.push(segment), trackable });
	const totals = () => {
		const byChannel: Record<string, { seconds: number; muted: number; deafened: number; streaming: number; sessions: number }> = {};
		for (const segment of segments) {
			const entry = (byChannel[segment.channelId] ??= { seconds: 0, muted: 0, deafened: 0, streaming: 0, sessions: 0 });
			const length = segment.toSec - segment.fromSec;
			entry.seconds += length;
			if (segment.muted) entry.muted += length;
			if (segment.deafened) entry.deafened += length;
			if (segment.streaming) entry.streaming += length;
			if (segment.sessionStart) entry.sessions += 1;
		}
		return byChannel;
	};
	return { tracker, segments, totals };
}

describe('VoiceSessionTracker', () => {
	it('join -> move -> mute -> leave gives per-channel seconds, muted seconds and one session', () => {
		const { tracker, totals } = setup();
		tracker.onVoiceState('g', 'u', null, state('a'), s(0));
		tracker.onVoiceState('g', 'u', state('a'), state('b'), s(120));
		tracker.onVoiceState('g', 'u', state('b'), state('b', { muted: true }), s(200));
		tracker.onVoiceState('g', 'u', state('b', { muted: true }), state('b', { muted: true, deafened: true, streaming: true }), s(230));
		tracker.onVoiceState('g', 'u', state('b', { muted: true, deafened: true, streaming: true }), null, s(300.9));
		expect(totals()).toEqual({
			a: { seconds: 120, muted: 0, deafened: 0, streaming: 0, sessions: 1 },
			b: { seconds: 180, muted: 100, deafened: 70, streaming: 70, sessions: 0 }
		});
		expect(tracker.size).toBe(0);
	});

	it('ignores sessions shorter than the minimum, counts the whole session once it is reached', () => {
		const { tracker, segments, totals } = setup(10);
		tracker.onVoiceState('g', 'short', null, state('a'), s(0));
		tracker.onVoiceState('g', 'short', state('a'), state('b'), s(4));
		tracker.onVoiceState('g', 'short', state('b'), null, s(9));
		expect(segments).toHaveLength(0);
		tracker.onVoiceState('g', 'long', null, state('a'), s(0));
		tracker.onVoiceState('g', 'long', state('a'), state('b'), s(4));
		tracker.checkpoint(s(8)); // not yet qualified: nothing credited
		expect(segments).toHaveLength(0);
		tracker.checkpoint(s(12));
		expect(totals()).toEqual({ a: { seconds: 4, muted: 0, deafened: 0, streaming: 0, sessions: 1 }, b: { seconds: 8, muted: 0, deafened: 0, streaming: 0, sessions: 0 } });
		tracker.onVoiceState('g', 'long', state('b'), null, s(15));
		expect(totals().b.seconds).toBe(11);
	});

	it('checkpoints credit elapsed time incrementally, never twice', () => {
		const { tracker, totals } = setup();
		tracker.onVoiceState('g', 'u', null, state('a'), s(0));
		for (let t = 60; t <= 600; t += 60) tracker.checkpoint(s(t));
		expect(totals().a.seconds).toBe(600);
		tracker.checkpoint(s(600)); // same instant again: nothing new
		tracker.checkpoint(s(599)); // clock going back: nothing new
		expect(totals().a.seconds).toBe(600);
		tracker.onVoiceState('g', 'u', state('a'), null, s(630));
		expect(totals().a).toMatchObject({ seconds: 630, sessions: 1 });
	});

	it('a restart mid-session neither loses nor double-counts time', () => {
		// Process 1: joined at 0, flushed at 60 and 120, shut down at 150.
		const first = setup();
		first.tracker.onVoiceState('g', 'u', null, state('a'), s(0));
		first.tracker.checkpoint(s(60));
		first.tracker.checkpoint(s(120));
		first.tracker.closeAll(s(150));
		// Process 2 starts at 150 and finds the member in voice; they leave at 400.
		const second = setup();
		second.tracker.seedFromVoiceStates('g', [{ userId: 'u', ...state('a') }], s(150));
		second.tracker.checkpoint(s(210));
		second.tracker.onVoiceState('g', 'u', state('a'), null, s(400));
		const seconds = first.totals().a.seconds + second.totals().a.seconds;
		expect(seconds).toBe(400);
		// One session in total: the seeded continuation is not a new session.
		expect(first.totals().a.sessions + second.totals().a.sessions).toBe(1);
		// A continuation shorter than the minimum after the restart still counts (it was already running).
		const third = setup();
		third.tracker.seedFromVoiceStates('g', [{ userId: 'v', ...state('a') }], s(0));
		third.tracker.onVoiceState('g', 'v', state('a'), null, s(3));
		expect(third.totals().a.seconds).toBe(3);
	});

	it('treats an update for an unknown member already in voice as a continuation', () => {
		const { tracker, totals } = setup();
		tracker.onVoiceState('g', 'u', state('a'), state('b'), s(0));
		tracker.onVoiceState('g', 'u', state('b'), null, s(5));
		expect(totals()).toEqual({ b: { seconds: 5, muted: 0, deafened: 0, streaming: 0, sessions: 0 } });
	});

	it('does not track untrackable channels; moving into one ends the session', () => {
		const ignored = new Set(['secret', 'category-x']);
		const { tracker, totals } = setup(0, (_guild, channel, parent) => !ignored.has(channel) && !ignored.has(parent ?? ''));
		tracker.onVoiceState('g', 'u', null, state('secret'), s(0));
		tracker.onVoiceState('g', 'u', state('secret'), state('a'), s(30));
		tracker.onVoiceState('g', 'u', state('a'), state('c', { parentId: 'category-x' }), s(50));
		tracker.onVoiceState('g', 'u', state('c'), null, s(90));
		expect(totals()).toEqual({ a: { seconds: 20, muted: 0, deafened: 0, streaming: 0, sessions: 1 } });
	});

	it('closeGuild, closeChannel and dropUser end sessions (credited or not)', () => {
		const { tracker, totals } = setup(0);
		tracker.onVoiceState('g', 'u', null, state('a'), s(0));
		tracker.onVoiceState('g', 'v', null, state('b', { parentId: 'cat' }), s(0));
		tracker.onVoiceState('h', 'w', null, state('c'), s(0));
		tracker.onVoiceState('h', 'x', null, state('d'), s(0));
		tracker.closeChannel('g', 'cat', s(10));
		tracker.closeGuild('h', s(20));
		tracker.dropUser('u');
		expect(tracker.size).toBe(0);
		expect(totals()).toEqual({
			b: { seconds: 10, muted: 0, deafened: 0, streaming: 0, sessions: 1 },
			c: { seconds: 20, muted: 0, deafened: 0, streaming: 0, sessions: 1 },
			d: { seconds: 20, muted: 0, deafened: 0, streaming: 0, sessions: 1 }
		});
	});
});
