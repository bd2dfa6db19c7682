import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = {
	'#lib': fileURLToPath(new URL('./src/lib', import.meta.url)),
	'#root': fileURLToPath(new URL('./src', import.meta.url))
};

export default defineConfig({
	resolve: { alias },
	test: {
		// Each e2e file boots its own sandbox + bot process: two files at a time fits 2 cores.
		pool: 'forks',
		poolOptions: { forks: { maxForks: 2, minForks: 1 } },
		projects: [
			{ resolve: { alias }, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 20_000 } },
			{
				resolve: { alias },
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 90_000,
					hookTimeout: 90_000,
					pool: 'forks'
				}
			}
		]
	}
});
