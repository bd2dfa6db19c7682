import type { SKRSContext2D } from '@napi-rs/canvas';
import { withAlpha, type ChartTheme } from './ChartTheme.js';
import { font, roundRect, type Box } from './paintFrame.js';
import { fitText } from './textFit.js';

export const DEFAULT_EMPTY_MESSAGE = 'Nothing has been recorded for this range yet. Check back once people have been active.';

/** A clear "No data yet" card: a faint bar glyph, a headline and one line of explanation. */
export function paintEmptyState(ctx: SKRSContext2D, box: Box, message: string, u: number, theme: ChartTheme): void {
	ctx.save();
	ctx.fillStyle = theme.surface;
	roundRect(ctx, box.x, box.y, box.width, box.height, 10 * u);
	ctx.fill();

	const cx = box.x + box.width / 2;
	const cy = box.y + box.height / 2;
	const barWidth = 22 * u;
	const heights = [36, 64, 48].map((h) => h * u);
	const glyphBottom = cy - 30 * u;
	heights.forEach((h, i) => {
		ctx.fillStyle = withAlpha(theme.accent, 0.35 + i * 0.2);
		roundRect(ctx, cx - 1.5 * barWidth - 8 * u + i * (barWidth + 8 * u), glyphBottom - h, barWidth, h, 4 * u);
		ctx.fill();
	});
	ctx.fillStyle = theme.surfaceMuted;
	ctx.fillRect(cx - 60 * u, glyphBottom + 4 * u, 120 * u, Math.max(2, 3 * u));

	ctx.textAlign = 'center';
	ctx.textBaseline = 'alphabetic';
	ctx.font = font(theme, 30 * u, 'bold');
	ctx.fillStyle = theme.text;
	ctx.fillText('No data yet', cx, cy + 28 * u);
	ctx.font = font(theme, 17 * u);
	ctx.fillStyle = theme.textMuted;
	ctx.fillText(fitText(ctx, message, box.width - 80 * u), cx, cy + 62 * u);
	ctx.restore();
}
