import { describe, expect, it } from 'vitest';
import type { VoiceSegment } from '#lib/stats/StatsAggregator.js';
import { VoiceSessionTracker, type VoiceStateSnapshot } from '#lib/stats/VoiceSessionTracker.js';

const T0 = Date.UTC(2026, 0, 5, 10);
const s = (seconds: number) => T0 + seconds * 1000;
const state = (channelId: string | null, extra: Partial<VoiceStateSnapshot> = {}): VoiceStateSnapshot => ({ channelId, muted: false, deafened: false, streaming: false, ...extra });
const G = new Set(['g']);

function setup() {
	const segments: VoiceSegment[] = [];
	const tracker = new VoiceSessionTracker({ minSessionSeconds: 0, credit: (segment) => segments.push(segment) });
	const seconds = (userId: string) => segments.filter((segment) => segment.userId === userId).reduce((sum, segment) => sum + segment.toSec - segment.fromSec, 0);
	const byChannel = (userId: string, channelId: string) =>
		segments.filter((segment) => segment.userId === userId && segment.channelId === channelId).reduce((sum, segment) => sum + segment.toSec - segment.fromSec, 0);
	return { tracker, segments, seconds, byChannel };
}

describe('VoiceSessionTracker across reconnects', () => {
	it('a suspended session is not credited past the disconnect, however many flushes pass', () => {
		const { tracker, seconds } = setup();
		tracker.onVoiceState('g', 'u', null, state('a'), s(0));
		tracker.suspendGuilds(G, s(100));
		for (const at of [110, 200, 900]) tracker.checkpoint(s(at));
		expect(seconds('u')).toBe(100);
	});

	it('re-identify: vanished sessions end at the disconnect, unchanged ones run on through the gap, moved ones continue from now, new ones are seeded', () => {
		const { tracker, seconds, byChannel } = setup();
		for (const user of ['left', 'stayed', 'moved']) tracker.onVoiceState('g', user, null, state('a'), s(0));
		tracker.onVoiceState('other', 'elsewhere', null, state('x'), s(0));
		tracker.suspendGuilds(G, s(60));
		tracker.checkpoint(s(70));
		tracker.reconcileGuild('g', [{ userId: 'stayed', ...state('a') }, { userId: 'moved', ...state('b') }, { userId: 'joined', ...state('a') }], s(75));
		tracker.checkpoint(s(100));
		expect(seconds('left')).toBe(60);
		expect(seconds('stayed')).toBe(100);
		expect(byChannel('moved', 'a')).toBe(60);
		expect(byChannel('moved', 'b')).toBe(25);
		expect(seconds('joined')).toBe(25);
		// Another guild's session is untouched.
		expect(seconds('elsewhere')).toBe(100);
		expect(tracker.size).toBe(4);
	});

	it('resume: replayed events apply and the remaining sessions run on; reconciling again with the same states changes nothing', () => {
		const { tracker, seconds, segments } = setup();
		tracker.onVoiceState('g', 'u', null, state('a'), s(0));
		tracker.onVoiceState('g', 'v', null, state('a'), s(0));
		tracker.suspendGuilds(G, s(30));
		tracker.checkpoint(s(35));
		tracker.onVoiceState('g', 'u', state('a'), null, s(36)); // replayed leave
		tracker.resumeGuilds(G);
		tracker.checkpoint(s(50));
		tracker.reconcileGuild('g', [{ userId: 'v', ...state('a') }], s(50));
		tracker.checkpoint(s(60));
		expect(seconds('u')).toBe(36);
		expect(seconds('v')).toBe(60);
		expect(segments.filter((segment) => segment.sessionStart)).toHaveLength(2);
	});

	it('shutdown while disconnected credits up to the disconnect only', () => {
		const { tracker, seconds } = setup();
		tracker.onVoiceState('g', 'u', null, state('a'), s(0));
		tracker.suspendGuilds(G, s(40));
		tracker.closeAll(s(500));
		expect(seconds('u')).toBe(40);
	});
});
