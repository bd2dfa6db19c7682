/** Routes are private unless they say otherwise: a new route forgetting the option still needs the token. */
export function isPublicRoute(route: { options: { public?: boolean } } | null | undefined): boolean {
	return route?.options.public === true;
}
