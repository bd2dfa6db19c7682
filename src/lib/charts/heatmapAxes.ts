/** Row and column names for the hour-of-day x weekday heatmap (values[weekday][hour], Monday first). */
export const HEATMAP_WEEKDAYS: readonly string[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const HEATMAP_HOURS: readonly string[] = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, '0'));

/**
 * Turns JavaScript's Sunday-first weekday (Date#getDay, SQLite strftime('%w'), PostgreSQL
 * EXTRACT(DOW)) into the Monday-first row index of HEATMAP_WEEKDAYS.
 */
export function mondayFirstWeekday(sundayFirst: number): number {
	return (sundayFirst + 6) % 7;
}
