/**
 * FIFO with O(1) push and amortised O(1) removal from the head (Array#shift is O(n)). Read access
 * by index from the head, so the batcher can look ahead without copying.
 */
export class EventQueue<T> {
	private items: (T | undefined)[] = [];
	private head = 0;

	public get length(): number {
		return this.items.length - this.head;
	}

	public push(item: T): void {
		this.items.push(item);
	}

	/** Item `index` places behind the head. */
	public at(index: number): T | undefined {
		return index >= 0 ? this.items[this.head + index] : undefined;
	}

	/** Removes `count` items from the head and returns them. */
	public take(count: number): T[] {
		const end = Math.min(this.head + Math.max(0, count), this.items.length);
		const out = this.items.slice(this.head, end) as T[];
		this.drop(end - this.head);
		return out;
	}

	/** Removes `count` items from the head. */
	public drop(count: number): void {
		const end = Math.min(this.head + Math.max(0, count), this.items.length);
		for (let index = this.head; index < end; index++) this.items[index] = undefined;
		this.head = end;
		// Compact once the dead prefix is at least half the array: amortised O(1) per item.
		if (this.head === this.items.length) {
			this.items = [];
			this.head = 0;
		} else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
			this.items = this.items.slice(this.head);
			this.head = 0;
		}
	}

	public clear(): T[] {
		return this.take(this.length);
	}
}
