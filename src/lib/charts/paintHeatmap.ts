import type { SKRSContext2D } from '@napi-rs/canvas';
import { hexToRgb, rampColor, type ChartTheme } from './ChartTheme.js';
import { formatCompact, formatNumber } from './formatNumber.js';
import { font, roundRect, type Box } from './paintFrame.js';
import { cleanLabel, fitText } from './textFit.js';

/**
 * Activity heatmap (rows x columns, e.g. weekday x hour). Chart.js has no matrix chart and a
 * plugin would add a dependency for 168 rectangles, so the cells are drawn directly. Zero cells
 * stay the surface colour so "no activity" is never confused with "a little".
 */
export function paintHeatmap(
	ctx: SKRSContext2D,
	box: Box,
	rows: readonly string[],
	columns: readonly string[],
	values: readonly (readonly number[])[],
	valueLabel: string | undefined,
	u: number,
	theme: ChartTheme
): void {
	const rowLabelWidth = Math.round(64 * u);
	const columnLabelHeight = Math.round(24 * u);
	const legendHeight = Math.round(44 * u);
	const gap = Math.max(1, Math.round(3 * u));
	const gridX = box.x + rowLabelWidth;
	const gridY = box.y + columnLabelHeight;
	const gridWidth = box.width - rowLabelWidth;
	const gridHeight = box.height - columnLabelHeight - legendHeight;
	const cellWidth = gridWidth / Math.max(columns.length, 1);
	const cellHeight = gridHeight / Math.max(rows.length, 1);

	let max = 0;
	let peak = { row: -1, column: -1 };
	rows.forEach((_, r) =>
		columns.forEach((__, c) => {
			const v = values[r]?.[c] ?? 0;
			if (v > max) {
				max = v;
				peak = { row: r, column: c };
			}
		})
	);

	ctx.save();
	ctx.textBaseline = 'middle';
	ctx.font = font(theme, 12 * u);
	ctx.fillStyle = theme.textMuted;
	ctx.textAlign = 'center';
	// Skip column labels that would collide (e.g. 24 hours on a narrow image).
	const widest = Math.max(...columns.map((name) => ctx.measureText(name).width), 1);
	const step = Math.max(1, Math.ceil((widest + 8 * u) / cellWidth));
	columns.forEach((name, c) => {
		if (c % step === 0) ctx.fillText(name, gridX + c * cellWidth + cellWidth / 2, box.y + columnLabelHeight / 2);
	});
	ctx.textAlign = 'left';
	ctx.font = font(theme, 13 * u);
	rows.forEach((name, r) => {
		ctx.fillText(fitText(ctx, cleanLabel(name), rowLabelWidth - 12 * u), box.x, gridY + r * cellHeight + cellHeight / 2);
	});

	const showValues = cellWidth >= 34 * u && cellHeight >= 24 * u;
	ctx.textAlign = 'center';
	ctx.font = font(theme, 11 * u);
	rows.forEach((_, r) =>
		columns.forEach((__, c) => {
			const v = values[r]?.[c] ?? 0;
			const x = gridX + c * cellWidth + gap / 2;
			const y = gridY + r * cellHeight + gap / 2;
			const color = v > 0 ? rampColor(theme.heatRamp, v / max) : theme.surface;
			ctx.fillStyle = color;
			roundRect(ctx, x, y, cellWidth - gap, cellHeight - gap, 4 * u);
			ctx.fill();
			if (showValues && v > 0) {
				ctx.fillStyle = isLight(color) ? theme.surface : theme.text;
				ctx.fillText(formatCompact(v), x + (cellWidth - gap) / 2, y + (cellHeight - gap) / 2 + 0.5);
			}
		})
	);
	if (peak.row >= 0) {
		ctx.strokeStyle = theme.text;
		ctx.lineWidth = Math.max(1.5, 2 * u);
		roundRect(ctx, gridX + peak.column * cellWidth + gap / 2, gridY + peak.row * cellHeight + gap / 2, cellWidth - gap, cellHeight - gap, 4 * u);
		ctx.stroke();
	}

	// Legend: the peak on the left, the colour scale on the right.
	const legendY = gridY + gridHeight + legendHeight / 2 + 4 * u;
	ctx.textAlign = 'left';
	ctx.font = font(theme, 13 * u);
	ctx.fillStyle = theme.textMuted;
	if (peak.row >= 0) {
		const unit = valueLabel ? ` ${valueLabel}` : '';
		const column = cleanLabel(columns[peak.column]);
		// Bare hour columns ("20") read as a time in the sentence: "Sat 20:00".
		const when = `${cleanLabel(rows[peak.row])} ${/^\d{1,2}$/.test(column) ? `${column.padStart(2, '0')}:00` : column}`;
		ctx.fillText(fitText(ctx, `Busiest: ${when} · ${formatNumber(max)}${unit}`, box.width - 360 * u), box.x, legendY);
	}
	const scaleWidth = Math.round(220 * u);
	const scaleHeight = Math.round(10 * u);
	const scaleX = box.x + box.width - scaleWidth - Math.round(60 * u);
	const gradient = ctx.createLinearGradient(scaleX, 0, scaleX + scaleWidth, 0);
	theme.heatRamp.forEach((stop, i) => gradient.addColorStop(i / (theme.heatRamp.length - 1), stop));
	ctx.fillStyle = theme.surface;
	roundRect(ctx, scaleX - 26 * u, legendY - scaleHeight / 2, scaleHeight * 1.6, scaleHeight, 3 * u);
	ctx.fill();
	ctx.fillStyle = gradient;
	roundRect(ctx, scaleX, legendY - scaleHeight / 2, scaleWidth, scaleHeight, scaleHeight / 2);
	ctx.fill();
	ctx.font = font(theme, 12 * u);
	ctx.fillStyle = theme.textFaint;
	ctx.textAlign = 'right';
	ctx.fillText('0', scaleX - 32 * u, legendY);
	ctx.textAlign = 'left';
	ctx.fillText(formatCompact(max), scaleX + scaleWidth + 8 * u, legendY);
	ctx.restore();
}

function isLight(color: string): boolean {
	const match = /rgb\((\d+), (\d+), (\d+)\)/.exec(color);
	const [r, g, b] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : hexToRgb(color);
	return 0.2126 * r + 0.7152 * g + 0.0722 * b > 150;
}
