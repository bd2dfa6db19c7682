// Worker-thread entry for RenderWorkerPool: a ChartRenderer drawing in this thread, so Chart.js
// layout and Skia rasterisation never hold the bot's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { ChartRenderer, type ChartRendererOptions } from './ChartRenderer.js';
import type { WorkerReply, WorkerRequest } from './RenderWorkerPool.js';

const port = parentPort;
if (!port) throw new Error('chartWorker must run in a worker thread');
const renderer = new ChartRenderer({ ...(workerData as ChartRendererOptions), workers: 0 });

port.on('message', (request: WorkerRequest) => {
	renderer.render(request.spec).then(
		(result) => port.postMessage({ id: request.id, ok: true, result } satisfies WorkerReply),
		(error: unknown) => port.postMessage({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply)
	);
});
port.postMessage({ id: 0, ok: true, ready: true } satisfies WorkerReply);
