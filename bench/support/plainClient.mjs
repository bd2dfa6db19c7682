// Child process of bench/lean: the baseline. A plain discord.js 14 client with DEFAULT caches and the
// same intents as Nexus, logged in to the sandbox and doing nothing else. Plain JavaScript run by
// plain node (no tsx loader), so its RSS and CPU compare fairly with the built bot (dist/index.js).
import { Client, GatewayIntentBits } from 'discord.js';

const client = new Client({
	intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMessageReactions],
	rest: { api: process.argv[2] }
});
client.once('ready', () => process.send?.({ type: 'ready' }));
process.on('message', async (message) => {
	if (message === 'exit') {
		await client.destroy();
		process.exit(0);
	}
});
await client.login('bench.token.value');
