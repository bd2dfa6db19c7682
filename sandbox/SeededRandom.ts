/** Small deterministic PRNG (mulberry32) so seeded guilds are identical on every run. */
export class SeededRandom {
	private state: number;

	public constructor(seed: number) {
		this.state = (Math.floor(seed) ^ 0x9e37_79b9) >>> 0;
	}

	/** Float in [0, 1). */
	public next(): number {
		this.state = (this.state + 0x6d2b_79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	}

	/** Integer in [min, max] inclusive. */
	public int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	public chance(probability: number): boolean {
		return this.next() < probability;
	}

	public pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	/** Random hex string of `length` characters. */
	public hex(length: number): string {
		let out = '';
		while (out.length < length) out += Math.floor(this.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
		return out.slice(0, length);
	}
}
