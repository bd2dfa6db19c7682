/**
 * `DATABASE_URL=postgres://…/db?schema=nexus` keeps Nexus's tables in their own PostgreSQL schema
 * (several bots or test runs can share one database). pg does not know the parameter, so it is
 * taken out of the URL here.
 */
export function databaseTarget(databaseUrl: string | undefined): { databaseUrl?: string; schema?: string } {
	if (!databaseUrl) return {};
	const url = new URL(databaseUrl);
	const schema = url.searchParams.get('schema') ?? undefined;
	url.searchParams.delete('schema');
	return { databaseUrl: url.toString(), schema };
}
