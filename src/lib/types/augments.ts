// Every type augmentation of Sapphire's modules, in one place. Types only: this file emits nothing
// that runs. A .ts rather than a .d.ts: skipLibCheck would leave a .d.ts unchecked (a wrong import
// path there silently becomes `any`).
// The plugins' own augmentations (ClientOptions.api, ClientOptions.tasks, Container.server,
// Container.tasks) come with their types; the plugins themselves are registered by setup.ts.
import type {} from '@sapphire/plugin-api';
import type {} from '@sapphire/plugin-scheduled-tasks';
import type { ScheduledTask } from '@sapphire/plugin-scheduled-tasks';
import type { Config } from '#root/config.js';
import type { ChartRenderer } from '#lib/charts/ChartRenderer.js';
import type { ImageCache } from '#lib/charts/ImageCache.js';
import type { ImageCacheSync } from '#lib/charts/ImageCacheSync.js';
import type { CommandOutcomes } from '#lib/commands/CommandOutcomes.js';
import type { FleetService } from '#lib/fleet/FleetService.js';
import type { FleetWindows } from '#lib/fleet/FleetWindows.js';
import type { CounterChannelService } from '#lib/live/CounterChannelService.js';
import type { counterValueReader } from '#lib/live/counterValues.js';
import type { LiveMessageService } from '#lib/live/LiveMessageService.js';
import type { LiveStore } from '#lib/live/LiveStore.js';
import type { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';
import type { GatewayIncidents } from '#lib/monitoring/GatewayIncidents.js';
import type { IncidentTracker } from '#lib/monitoring/IncidentTracker.js';
import type { Monitor } from '#lib/monitoring/Monitor.js';
import type { RedisService } from '#lib/RedisService.js';
import type { AnalyticsReportPoster } from '#lib/reporting/AnalyticsReportPoster.js';
import type { DailyOpsLedger } from '#lib/reporting/DailyOpsLedger.js';
import type { DailySummaryPoster } from '#lib/reporting/DailySummaryPoster.js';
import type { Reporter } from '#lib/reporting/Reporter.js';
import type { ServiceRegistry } from '#lib/ServiceRegistry.js';
import type { GuildDeletionGuard } from '#lib/stats/GuildDeletionGuard.js';
import type { StatsService } from '#lib/stats/StatsService.js';
import type { EmbeddedScheduler } from '#lib/tasks/EmbeddedScheduler.js';
import type { SchedulerService } from '#lib/tasks/SchedulerService.js';

/** What setup.ts (config) and boot.ts (services) hang on Sapphire's container; pieces only call them. */
declare module '@sapphire/pieces' {
	interface Container {
		config: Config;
		services: ServiceRegistry;
		scheduler: SchedulerService | EmbeddedScheduler<ScheduledTask>;
		stats: StatsService;
		guildDeletions: GuildDeletionGuard;
		reporter: Reporter;
		/** Dependency outages as incidents: `failure('redis', error)` / `recovered('redis')`. */
		incidents: IncidentTracker;
		/** Shard connections lost and back, as the 'discord-gateway' incident. */
		gatewayIncidents: GatewayIncidents;
		monitor: Monitor;
		/** Each interaction's failure or user mistake, from the error listeners to chatInputCommandFinish. */
		commandOutcomes: CommandOutcomes;
		charts: ChartRenderer;
		imageCache: ImageCache;
		imageCacheSync: ImageCacheSync;
		metrics: MetricsRegistry;
		/** Redis coordination: only with REDIS_URL (several processes). */
		redis: RedisService | undefined;
		fleet: FleetService | undefined;
		opsLedger: DailyOpsLedger | undefined;
		/** Sharded only: every process's monitoring windows for the once-per-fleet jobs. */
		fleetWindows: FleetWindows;
		dailySummary: DailySummaryPoster;
		analyticsReport: AnalyticsReportPoster;
		/** Live messages and counter channels (createLiveStats). */
		liveStore: LiveStore;
		liveMessages: LiveMessageService;
		counterChannels: CounterChannelService;
		counterValues: ReturnType<typeof counterValueReader>;
		/** True once shutdown began: commands answer "restarting", capture keeps counting until flushed. */
		draining: boolean;
	}
}

/** The preconditions in src/preconditions/, by piece name. */
declare module '@sapphire/framework' {
	interface Preconditions {
		ManageGuild: never;
		OwnerOnly: never;
	}
}

/** The tasks in src/scheduled-tasks/, by piece name. */
declare module '@sapphire/plugin-scheduled-tasks' {
	interface ScheduledTasks {
		analyticsReport: never;
		dailySummary: never;
		monitorCommands: never;
		monitorErrors: never;
		monitorHealth: never;
		monitorSystem: never;
		statsRetention: never;
	}
}

declare module '@sapphire/plugin-api' {
	interface RouteOptions {
		/** Served without the API token (liveness, the dashboard's own HTML/JS, which hold no data). See routeAccess.ts. */
		public?: boolean;
	}
}
