/**
 * Fixed-capacity FIFO: pushing into a full buffer overwrites the oldest item. Gives every
 * monitoring structure a hard memory bound no matter how busy the bot gets.
 */
export class RingBuffer<T> {
	private readonly items: (T | undefined)[];
	private head = 0;
	private count = 0;

	public constructor(public readonly capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`);
		this.items = new Array<T | undefined>(capacity);
	}

	public push(item: T): void {
		this.items[(this.head + this.count) % this.capacity] = item;
		if (this.count < this.capacity) this.count++;
		else this.head = (this.head + 1) % this.capacity;
	}

	public get size(): number {
		return this.count;
	}

	/** Newest item, if any. */
	public last(): T | undefined {
		return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) % this.capacity];
	}

	/** Oldest first. */
	public toArray(): T[] {
		const out = new Array<T>(this.count);
		for (let index = 0; index < this.count; index++) out[index] = this.items[(this.head + index) % this.capacity] as T;
		return out;
	}

	public clear(): void {
		this.items.fill(undefined);
		this.head = 0;
		this.count = 0;
	}
}
