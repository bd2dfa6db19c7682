/** Colours and type for every chart, so all reports look like one product. */
export interface ChartTheme {
	fontFamily: string;
	/** Canvas background: Discord's dark chat colour, so the image blends into the client. */
	background: string;
	/** Cards (summary tiles, panels): a shade darker than the background. */
	surface: string;
	/** Bar tracks and empty heatmap cells. */
	surfaceMuted: string;
	accent: string;
	text: string;
	textMuted: string;
	textFaint: string;
	grid: string;
	/** Categorical series colours, in order of use. */
	palette: readonly string[];
	positive: string;
	negative: string;
	/** Podium colours for ranks 1-3. */
	podium: readonly [string, string, string];
	/** Sequential colour ramp for heatmaps, low to high. */
	heatRamp: readonly string[];
}

export const discordDarkTheme: ChartTheme = {
	// The bundled DejaVu Sans under a family name of our own, so a system copy can never stand in.
	fontFamily: 'Nexus Sans',
	background: '#313338',
	surface: '#2b2d31',
	surfaceMuted: '#3a3c43',
	accent: '#5865f2',
	text: '#f2f3f5',
	textMuted: '#b5bac1',
	textFaint: '#80848e',
	grid: 'rgba(255, 255, 255, 0.07)',
	palette: ['#5865f2', '#57f287', '#fee75c', '#eb459e', '#00a8fc', '#f0b232', '#ed4245', '#9b84ee'],
	positive: '#57f287',
	negative: '#ed4245',
	podium: ['#f0b232', '#c4c9ce', '#d08a55'],
	heatRamp: ['#353a6e', '#4752c4', '#5865f2', '#9b84ee', '#eb459e', '#fee75c']
};

/** `#rrggbb` + alpha as an rgba() string (Chart.js and canvas both take it). */
export function withAlpha(hex: string, alpha: number): string {
	const [r, g, b] = hexToRgb(hex);
	return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

export function hexToRgb(hex: string): [number, number, number] {
	const value = hex.replace('#', '');
	const full = value.length === 3 ? [...value].map((c) => c + c).join('') : value;
	const n = Number.parseInt(full, 16);
	return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Colour at t in [0, 1] along a ramp of hex stops (linear in RGB, fine for short ramps). */
export function rampColor(ramp: readonly string[], t: number): string {
	const clamped = Math.min(1, Math.max(0, t));
	const scaled = clamped * (ramp.length - 1);
	const i = Math.min(Math.floor(scaled), ramp.length - 2);
	const f = scaled - i;
	const a = hexToRgb(ramp[i]);
	const b = hexToRgb(ramp[i + 1]);
	const mix = (k: number) => Math.round(a[k] + (b[k] - a[k]) * f);
	return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}
