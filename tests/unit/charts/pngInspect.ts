import { createCanvas, loadImage } from '@napi-rs/canvas';

export interface DecodedPng {
	width: number;
	height: number;
	data: Uint8ClampedArray;
}

/** Decodes a PNG back to RGBA pixels (proves the bytes are a real, complete image). */
export async function decodePng(png: Buffer): Promise<DecodedPng> {
	const image = await loadImage(png);
	const canvas = createCanvas(image.width, image.height);
	const ctx = canvas.getContext('2d');
	ctx.drawImage(image, 0, 0);
	return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

export function distinctColours(image: DecodedPng): number {
	const seen = new Set<number>();
	const { data } = image;
	for (let i = 0; i < data.length; i += 4) seen.add(((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]) * 256 + data[i + 3]);
	return seen.size;
}

/** Pixels within `tolerance` (per channel) of `hex`, inside an optional region. */
export function countColour(image: DecodedPng, hex: string, tolerance = 12, region?: { x: number; y: number; width: number; height: number }): number {
	const value = Number.parseInt(hex.replace('#', ''), 16);
	const [r, g, b] = [(value >> 16) & 255, (value >> 8) & 255, value & 255];
	const { x = 0, y = 0, width = image.width, height = image.height } = region ?? {};
	let count = 0;
	for (let py = y; py < y + height; py++) {
		for (let px = x; px < x + width; px++) {
			const i = (py * image.width + px) * 4;
			if (Math.abs(image.data[i] - r) <= tolerance && Math.abs(image.data[i + 1] - g) <= tolerance && Math.abs(image.data[i + 2] - b) <= tolerance) count++;
		}
	}
	return count;
}

/** `top` composited at `alpha` over `bottom`, as #rrggbb. */
export function mix(top: string, bottom: string, alpha: number): string {
	const rgb = (hex: string) => {
		const v = Number.parseInt(hex.replace('#', ''), 16);
		return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
	};
	const [a, b] = [rgb(top), rgb(bottom)];
	return `#${a.map((c, i) => Math.round(c * alpha + b[i] * (1 - alpha)).toString(16).padStart(2, '0')).join('')}`;
}
