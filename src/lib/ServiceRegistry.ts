/**
 * Services live on Sapphire's container and share one lifecycle: started once at boot in
 * registration order, stopped in reverse order at shutdown, each within what is left of a
 * single shutdown deadline (so one slow stop cannot eat the others' time and pm2's kill_timeout).
 */
export interface Service {
	readonly name: string;
	start?(): Promise<void> | void;
	/** Flush and release; must respect `signal` (aborted when the shutdown deadline passes). */
	stop?(signal: AbortSignal): Promise<void> | void;
}

export interface StopReport {
	name: string;
	ok: boolean;
	ms: number;
	error?: string;
}

export class ServiceRegistry {
	private readonly services: Service[] = [];
	private readonly started: Service[] = [];

	public add<T extends Service>(service: T): T {
		this.services.push(service);
		return service;
	}

	public get list(): readonly Service[] {
		return this.services;
	}

	public async startAll(): Promise<void> {
		for (const service of this.services) {
			await service.start?.();
			this.started.push(service);
		}
	}

	/** Stops started services in reverse order; never throws, reports each outcome. */
	public async stopAll(deadlineMs: number): Promise<StopReport[]> {
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(new Error('shutdown deadline passed')), deadlineMs);
		timer.unref();
		const reports: StopReport[] = [];
		try {
			while (this.started.length > 0) {
				const service = this.started.pop()!;
				const begin = performance.now();
				try {
					await raceAbort(Promise.resolve(service.stop?.(controller.signal)), controller.signal);
					reports.push({ name: service.name, ok: true, ms: Math.round(performance.now() - begin) });
				} catch (error) {
					reports.push({ name: service.name, ok: false, ms: Math.round(performance.now() - begin), error: String((error as Error)?.message ?? error) });
				}
			}
		} finally {
			clearTimeout(timer);
		}
		return reports;
	}
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(signal.reason);
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			}
		);
	});
}
