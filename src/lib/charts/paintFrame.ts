import type { SKRSContext2D } from '@napi-rs/canvas';
import type { SummaryItem } from './ChartSpecs.js';
import type { ChartTheme } from './ChartTheme.js';
import { formatNumber } from './formatNumber.js';
import { cleanLabel, fitText } from './textFit.js';

export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** Where the shared parts of every report go; `content` is what is left for the chart itself. */
export interface Frame {
	width: number;
	height: number;
	/** Size unit: 1 at the 1200x675 design size, so fonts and gaps scale with the image. */
	unit: number;
	padding: number;
	titleY: number;
	subtitleY: number;
	summary: Box | null;
	content: Box;
}

export interface FrameText {
	title: string;
	subtitle?: string;
	summary?: readonly SummaryItem[];
	/** Series on the chart, so a summary tile named like a series takes its colour. */
	series?: readonly { label: string; color?: string }[];
}

export const MAX_SUMMARY_TILES = 6;

export function layoutFrame(width: number, height: number, text: Pick<FrameText, 'subtitle' | 'summary'>): Frame {
	const unit = Math.min(width / 1200, height / 675);
	const padding = Math.round(32 * unit);
	const titleY = padding + Math.round(28 * unit);
	// Without a subtitle its line is given back to the content.
	const subtitleY = titleY + Math.round((text.subtitle ? 28 : 6) * unit);
	const hasSummary = Boolean(text.summary?.length);
	const summary = hasSummary ? { x: padding, y: subtitleY + Math.round(20 * unit), width: width - 2 * padding, height: Math.round(70 * unit) } : null;
	const contentTop = (summary ? summary.y + summary.height : subtitleY) + Math.round(22 * unit);
	const content = { x: padding, y: contentTop, width: width - 2 * padding, height: height - contentTop - Math.round(24 * unit) };
	return { width, height, unit, padding, titleY, subtitleY, summary, content };
}

export function font(theme: ChartTheme, px: number, weight: 'normal' | 'bold' = 'normal'): string {
	return `${weight === 'bold' ? 'bold ' : ''}${Math.round(px)}px "${theme.fontFamily}"`;
}

/** Background, accent, title, subtitle, brand and the summary strip. */
export function paintFrame(ctx: SKRSContext2D, frame: Frame, text: FrameText, theme: ChartTheme): void {
	const { unit: u, padding, width } = frame;
	ctx.save();
	ctx.fillStyle = theme.background;
	ctx.fillRect(0, 0, frame.width, frame.height);
	ctx.fillStyle = theme.accent;
	ctx.fillRect(0, 0, width, Math.max(2, Math.round(4 * u)));

	ctx.textBaseline = 'alphabetic';
	ctx.textAlign = 'right';
	ctx.font = font(theme, 13 * u, 'bold');
	ctx.fillStyle = theme.textFaint;
	const brand = 'NEXUS';
	ctx.fillText(brand, width - padding, frame.titleY - Math.round(6 * u));
	const brandWidth = ctx.measureText(brand).width + 24 * u;

	ctx.textAlign = 'left';
	ctx.font = font(theme, 28 * u, 'bold');
	ctx.fillStyle = theme.text;
	ctx.fillText(fitText(ctx, cleanLabel(text.title, ''), width - 2 * padding - brandWidth), padding, frame.titleY);
	if (text.subtitle) {
		ctx.font = font(theme, 16 * u);
		ctx.fillStyle = theme.textMuted;
		ctx.fillText(fitText(ctx, cleanLabel(text.subtitle, ''), width - 2 * padding), padding, frame.subtitleY);
	}
	if (frame.summary && text.summary?.length) paintSummary(ctx, frame.summary, text.summary.slice(0, MAX_SUMMARY_TILES), text.series ?? [], u, theme);
	ctx.restore();
}

function paintSummary(
	ctx: SKRSContext2D,
	box: Box,
	items: readonly SummaryItem[],
	series: NonNullable<FrameText['series']>,
	u: number,
	theme: ChartTheme
): void {
	const seriesColor = (label: string) => {
		const index = series.findIndex((s) => s.label.toLowerCase() === label.toLowerCase());
		return index < 0 ? undefined : (series[index].color ?? theme.palette[index % theme.palette.length]);
	};
	const gap = Math.round(12 * u);
	const tileWidth = (box.width - gap * (items.length - 1)) / items.length;
	const inset = Math.round(16 * u);
	items.forEach((item, i) => {
		const x = box.x + i * (tileWidth + gap);
		ctx.fillStyle = theme.surface;
		roundRect(ctx, x, box.y, tileWidth, box.height, 8 * u);
		ctx.fill();
		ctx.fillStyle = item.color ?? seriesColor(item.label) ?? theme.palette[i % theme.palette.length];
		roundRect(ctx, x, box.y + 14 * u, 3 * u, box.height - 28 * u, 1.5 * u);
		ctx.fill();

		// The change vs the previous period sits right-aligned on the label line; the label yields room.
		let changeWidth = 0;
		if (item.change) {
			ctx.font = font(theme, 12 * u, 'bold');
			ctx.textAlign = 'right';
			const direction = item.change.direction;
			ctx.fillStyle = direction === 'up' ? theme.positive : direction === 'down' ? theme.negative : theme.textMuted;
			ctx.fillText(item.change.text, x + tileWidth - inset / 2, box.y + 26 * u);
			changeWidth = ctx.measureText(item.change.text).width + 6 * u;
		}
		ctx.textAlign = 'left';
		ctx.font = font(theme, 13 * u);
		ctx.fillStyle = theme.textMuted;
		ctx.fillText(fitText(ctx, cleanLabel(item.label, ''), tileWidth - 2 * inset - changeWidth + inset / 2), x + inset, box.y + 26 * u);
		ctx.fillStyle = theme.text;
		const value = typeof item.value === 'number' ? formatNumber(item.value) : item.value;
		// A long value first gets a smaller font, and only then an ellipsis.
		let size = 24;
		ctx.font = font(theme, size * u, 'bold');
		while (size > 16 && ctx.measureText(value).width > tileWidth - 2 * inset) ctx.font = font(theme, (size -= 2) * u, 'bold');
		ctx.fillText(fitText(ctx, value, tileWidth - 2 * inset), x + inset, box.y + 56 * u);
	});
}

/** A rounded-rectangle path (own helper: not every canvas backend has roundRect). */
export function roundRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
	const radius = Math.max(0, Math.min(r, w / 2, h / 2));
	ctx.beginPath();
	ctx.moveTo(x + radius, y);
	ctx.arcTo(x + w, y, x + w, y + h, radius);
	ctx.arcTo(x + w, y + h, x, y + h, radius);
	ctx.arcTo(x, y + h, x, y, radius);
	ctx.arcTo(x, y, x + w, y, radius);
	ctx.closePath();
}
