import type { SKRSContext2D } from '@napi-rs/canvas';
import type { RankingItem } from './ChartSpecs.js';
import { withAlpha, type ChartTheme } from './ChartTheme.js';
import { formatCompact, formatNumber } from './formatNumber.js';
import { font, roundRect, type Box } from './paintFrame.js';
import { cleanLabel, fitText } from './textFit.js';

/** How many rows a full-size ranking shows; more would shrink rows below readable size. */
export const MAX_RANKING_ROWS = 15;

/**
 * The `top` leaderboard: rank badge, name (+ muted sublabel), a bar scaled to the leader and the
 * exact value. Drawn directly rather than as a Chart.js bar chart: exact values at the bar ends,
 * podium colours and name truncation are what make a leaderboard readable, and it is cheaper.
 */
export function paintRanking(ctx: SKRSContext2D, box: Box, items: readonly RankingItem[], valueLabel: string | undefined, u: number, theme: ChartTheme): void {
	const rows = items.slice(0, MAX_RANKING_ROWS);
	const headerHeight = Math.round(22 * u);
	const rowHeight = Math.min((box.height - headerHeight) / Math.max(rows.length, 8), 56 * u);
	const max = Math.max(...rows.map((item) => item.value), 0) || 1;
	const badge = Math.round(Math.min(28 * u, rowHeight * 0.62));
	const labelX = box.x + badge + Math.round(16 * u);
	const labelWidth = Math.round(box.width * 0.3);
	const valueWidth = Math.round(130 * u);
	const barX = labelX + labelWidth + Math.round(16 * u);
	const barWidth = box.x + box.width - valueWidth - Math.round(16 * u) - barX;
	const barHeight = Math.max(6, Math.round(Math.min(18 * u, rowHeight * 0.38)));

	ctx.save();
	ctx.textBaseline = 'middle';
	ctx.font = font(theme, 12 * u, 'bold');
	ctx.fillStyle = theme.textFaint;
	ctx.textAlign = 'left';
	ctx.fillText('NAME', labelX, box.y + headerHeight / 2);
	ctx.textAlign = 'right';
	ctx.fillText((valueLabel ?? 'value').toUpperCase(), box.x + box.width, box.y + headerHeight / 2);

	rows.forEach((item, i) => {
		const top = box.y + headerHeight + i * rowHeight;
		const mid = top + rowHeight / 2;
		if (i % 2 === 0) {
			ctx.fillStyle = withAlpha('#000000', 0.08);
			roundRect(ctx, box.x - 8 * u, top + 2 * u, box.width + 16 * u, rowHeight - 4 * u, 6 * u);
			ctx.fill();
		}

		const podium = i < 3 ? theme.podium[i] : undefined;
		ctx.fillStyle = podium ?? theme.surfaceMuted;
		ctx.beginPath();
		ctx.arc(box.x + badge / 2, mid, badge / 2, 0, Math.PI * 2);
		ctx.fill();
		ctx.textAlign = 'center';
		ctx.font = font(theme, Math.min(13 * u, badge * 0.5), 'bold');
		ctx.fillStyle = podium ? theme.surface : theme.textMuted;
		ctx.fillText(String(i + 1), box.x + badge / 2, mid + 0.5);

		ctx.textAlign = 'left';
		const hasSub = Boolean(item.sublabel) && rowHeight >= 40 * u;
		ctx.font = font(theme, 16 * u);
		ctx.fillStyle = theme.text;
		ctx.fillText(fitText(ctx, cleanLabel(item.label), labelWidth), labelX, hasSub ? mid - 8 * u : mid);
		if (hasSub) {
			ctx.font = font(theme, 12 * u);
			ctx.fillStyle = theme.textFaint;
			ctx.fillText(fitText(ctx, cleanLabel(item.sublabel ?? ''), labelWidth), labelX, mid + 10 * u);
		}

		ctx.fillStyle = theme.surfaceMuted;
		roundRect(ctx, barX, mid - barHeight / 2, barWidth, barHeight, barHeight / 2);
		ctx.fill();
		const filled = Math.max(barHeight, (Math.max(item.value, 0) / max) * barWidth);
		ctx.fillStyle = podium ? theme.accent : withAlpha(theme.accent, 0.75);
		roundRect(ctx, barX, mid - barHeight / 2, filled, barHeight, barHeight / 2);
		ctx.fill();

		ctx.textAlign = 'right';
		ctx.font = font(theme, 16 * u, 'bold');
		ctx.fillStyle = theme.text;
		ctx.fillText(fitText(ctx, formatNumber(item.value), valueWidth), box.x + box.width, mid);
	});
	ctx.restore();
}

/** A compact top-5 card for the overview: title, then name / value rows with thin bars. */
export function paintRankingPanel(
	ctx: SKRSContext2D,
	box: Box,
	title: string,
	items: readonly RankingItem[],
	valueLabel: string | undefined,
	u: number,
	theme: ChartTheme,
	color: string
): void {
	const inset = Math.round(16 * u);
	ctx.save();
	ctx.fillStyle = theme.surface;
	roundRect(ctx, box.x, box.y, box.width, box.height, 8 * u);
	ctx.fill();

	ctx.textBaseline = 'alphabetic';
	ctx.textAlign = 'left';
	ctx.font = font(theme, 15 * u, 'bold');
	ctx.fillStyle = theme.text;
	const titleY = box.y + inset + 12 * u;
	ctx.fillText(fitText(ctx, title, box.width * 0.6), box.x + inset, titleY);
	if (valueLabel) {
		ctx.textAlign = 'right';
		ctx.font = font(theme, 12 * u);
		ctx.fillStyle = theme.textFaint;
		ctx.fillText(fitText(ctx, valueLabel, box.width * 0.35), box.x + box.width - inset, titleY);
	}

	const listTop = titleY + 12 * u;
	const rows = items.slice(0, 5);
	if (rows.length === 0) {
		ctx.textAlign = 'left';
		ctx.font = font(theme, 13 * u);
		ctx.fillStyle = theme.textFaint;
		ctx.fillText('No data yet', box.x + inset, listTop + 22 * u);
		ctx.restore();
		return;
	}
	const rowHeight = Math.min((box.y + box.height - inset / 2 - listTop) / 5, 44 * u);
	const max = Math.max(...rows.map((item) => item.value), 0) || 1;
	const innerWidth = box.width - 2 * inset;
	const rankWidth = Math.round(22 * u);
	rows.forEach((item, i) => {
		const textY = listTop + i * rowHeight + rowHeight * 0.55;
		ctx.font = font(theme, 13 * u, 'bold');
		ctx.fillStyle = i < 3 ? theme.podium[i] : theme.textFaint;
		ctx.textAlign = 'left';
		ctx.fillText(String(i + 1), box.x + inset, textY);

		const value = formatCompact(item.value);
		ctx.font = font(theme, 13 * u, 'bold');
		const valueWidth = ctx.measureText(value).width;
		ctx.textAlign = 'right';
		ctx.fillStyle = theme.text;
		ctx.fillText(value, box.x + box.width - inset, textY);

		ctx.textAlign = 'left';
		ctx.font = font(theme, 13 * u);
		ctx.fillStyle = theme.textMuted;
		ctx.fillText(fitText(ctx, cleanLabel(item.label), innerWidth - rankWidth - valueWidth - 10 * u), box.x + inset + rankWidth, textY);

		const barY = textY + 7 * u;
		const barWidth = innerWidth - rankWidth;
		const barHeight = Math.max(3, Math.round(4 * u));
		ctx.fillStyle = theme.surfaceMuted;
		roundRect(ctx, box.x + inset + rankWidth, barY, barWidth, barHeight, barHeight / 2);
		ctx.fill();
		ctx.fillStyle = color;
		roundRect(ctx, box.x + inset + rankWidth, barY, Math.max(barHeight, (Math.max(item.value, 0) / max) * barWidth), barHeight, barHeight / 2);
		ctx.fill();
	});
	ctx.restore();
}
