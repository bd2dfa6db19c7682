// Nexus dashboard: asks for the API token once (kept in sessionStorage, this tab only), then polls
// /api/metrics and updates the cards and charts in place. ?refresh=N sets the poll interval in seconds.
'use strict';

(() => {
	const TOKEN_KEY = 'nexus.apiToken';
	const params = new URLSearchParams(location.search);
	const refreshSeconds = Math.max(1, Number(params.get('refresh')) || 30);
	const EVENT_POINTS = 120;
	const HOUR_MS = 3_600_000;

	const $ = (id) => document.getElementById(id);
	const metric = (name) => document.querySelector(`[data-metric="${name}"]`);
	const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

	let timer;
	let charts;
	let previous; // { total, at } of the last poll, for events/s
	const eventRates = [];

	// ---------- formatting ----------
	const nf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
	const num = (value, fallback = '—') => (value === null || value === undefined || Number.isNaN(value) ? fallback : nf.format(value));
	function bytes(value) {
		if (value === null || value === undefined) return '—';
		const units = ['B', 'KB', 'MB', 'GB'];
		let v = value;
		let i = 0;
		while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
		return `${nf.format(v)} ${units[i]}`;
	}
	function duration(seconds) {
		if (seconds === null || seconds === undefined) return '—';
		const d = Math.floor(seconds / 86400);
		const h = Math.floor((seconds % 86400) / 3600);
		const m = Math.floor((seconds % 3600) / 60);
		const s = Math.floor(seconds % 60);
		if (d > 0) return `${d}d ${h}h`;
		if (h > 0) return `${h}h ${m}m`;
		if (m > 0) return `${m}m ${s}s`;
		return `${s}s`;
	}
	// Minutes are enough over an hour; right after a start the whole history spans a few seconds.
	const clock = (t, spanMs) => new Date(t).toLocaleTimeString([], spanMs < 5 * 60_000 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' });

	function set(name, text) {
		const el = metric(name);
		if (!el || el.textContent === String(text)) return;
		el.textContent = text;
		el.classList.remove('flash');
		void el.offsetWidth; // restart the animation
		el.classList.add('flash');
	}

	// ---------- token ----------
	function showLogin(message) {
		clearTimeout(timer);
		$('board').hidden = true;
		$('sign-out').hidden = true;
		$('login').hidden = false;
		$('login-error').textContent = message || '';
		setStatus('unknown', 'Locked');
		$('updated').textContent = '';
		$('token').focus();
	}

	$('login-form').addEventListener('submit', (event) => {
		event.preventDefault();
		const token = $('token').value.trim();
		if (!token) return;
		sessionStorage.setItem(TOKEN_KEY, token);
		$('token').value = '';
		start();
	});

	$('sign-out').addEventListener('click', () => {
		sessionStorage.removeItem(TOKEN_KEY);
		showLogin('');
	});

	function setStatus(level, text) {
		$('status-pill').dataset.level = level;
		$('status-text').textContent = text;
	}

	// ---------- charts ----------
	function lineChart(canvas, datasets, yOptions = {}) {
		const grid = css('--border');
		const muted = css('--muted');
		return new Chart(canvas, {
			type: 'line',
			data: { datasets: datasets.map((d) => ({ borderWidth: 2, pointRadius: 0, pointHitRadius: 6, tension: 0.25, spanGaps: true, fill: false, data: [], ...d })) },
			options: {
				responsive: true,
				maintainAspectRatio: false,
				animation: false,
				parsing: false,
				normalized: true,
				interaction: { mode: 'nearest', axis: 'x', intersect: false },
				plugins: {
					legend: { position: 'bottom', labels: { color: muted, boxWidth: 10, boxHeight: 10, usePointStyle: true, pointStyle: 'circle', padding: 14 } },
					tooltip: { callbacks: { title: (items) => (items.length ? new Date(items[0].parsed.x).toLocaleTimeString() : '') } }
				},
				scales: {
					x: { type: 'linear', grid: { color: grid }, ticks: { color: muted, maxTicksLimit: 7, callback(value) { return clock(value, this.max - this.min); } } },
					y: { beginAtZero: true, grid: { color: grid }, ticks: { color: muted, maxTicksLimit: 6 }, ...yOptions }
				}
			}
		});
	}

	function ensureCharts() {
		if (charts || typeof Chart === 'undefined') return;
		Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
		Chart.defaults.color = css('--muted');
		charts = {
			health: lineChart($('chart-health'), [
				{ label: 'Overall', borderColor: '#5865f2', backgroundColor: 'rgba(88,101,242,0.15)', fill: 'origin', borderWidth: 2.5 },
				{ label: 'CPU', borderColor: '#3ba55d', borderWidth: 1.5 },
				{ label: 'Memory', borderColor: '#f0b232', borderWidth: 1.5 },
				{ label: 'Network', borderColor: '#eb459e', borderWidth: 1.5 },
				{ label: 'Discord', borderColor: '#38bdf8', borderWidth: 1.5 }
			], { max: 100 }),
			latency: lineChart($('chart-latency'), [
				{ label: 'Gateway heartbeat', borderColor: '#38bdf8' },
				{ label: 'REST p95', borderColor: '#eb459e' }
			]),
			system: lineChart($('chart-system'), [
				{ label: 'CPU', borderColor: '#3ba55d', backgroundColor: 'rgba(59,165,93,0.12)', fill: 'origin' },
				{ label: 'Memory', borderColor: '#f0b232' }
			], { max: 100 }),
			events: lineChart($('chart-events'), [{ label: 'Events/s', borderColor: '#a78bfa', backgroundColor: 'rgba(167,139,250,0.15)', fill: 'origin', stepped: false }])
		};
	}

	const points = (list, key) => list.map((p) => ({ x: p.t, y: p[key] ?? null }));

	function updateCharts(data) {
		ensureCharts();
		if (!charts) return;
		const h = data.history;
		const series = {
			health: [points(h.health, 'overall'), points(h.health, 'cpu'), points(h.health, 'memory'), points(h.health, 'network'), points(h.health, 'discord')],
			latency: [points(h.discord, 'gatewayMs'), points(h.discord, 'restP95Ms')],
			system: [points(h.system, 'cpu'), points(h.system, 'memory')],
			events: [eventRates.slice()]
		};
		// A health report is rare (every few minutes): show the current score too, so the chart is never empty.
		if (data.health && !series.health[0].some((p) => p.x >= Date.parse(data.health.at))) series.health[0].push({ x: Date.parse(data.health.at), y: data.health.score });
		for (const [name, sets] of Object.entries(series)) {
			const chart = charts[name];
			sets.forEach((set, i) => (chart.data.datasets[i].data = set));
			// Up to the last hour, and never less than 30 s: a fresh start does not stretch two samples across the chart.
			const xs = sets.flat().map((p) => p.x);
			const last = xs.length ? Math.max(...xs) : Date.now();
			const first = xs.length ? Math.min(...xs) : last;
			chart.options.scales.x.max = last;
			chart.options.scales.x.min = last - Math.min(HOUR_MS, Math.max(30_000, last - first));
			chart.update('none');
		}
	}

	// ---------- cards ----------
	function render(data, receivedAt) {
		const level = data.health ? data.health.level : 'unknown';
		setStatus(level, data.health ? `${data.health.level} · ${data.health.score}/100` : 'No health data yet');
		document.querySelector('[data-card="health"]').dataset.level = level;
		set('health-score', data.health ? data.health.score : '—');
		const alerts = data.health ? data.health.activeAlerts.length : 0;
		set('health-level', data.health ? `${data.health.level}${alerts ? ` · ${alerts} alert${alerts > 1 ? 's' : ''}` : ' · no alerts'}` : 'waiting for samples');

		set('uptime', duration(data.system.uptimeSeconds));
		set('restarts', `${data.system.restartCount} restart${data.system.restartCount === 1 ? '' : 's'} today · v${data.system.version ?? '?'}`);

		const d = data.discord;
		set('guilds', num(d.guilds));
		set('members', d.users === null ? 'waiting for a sample' : `${num(d.users)} members · ${num(d.channels)} channels`);

		const total = d.events.total;
		if (previous && receivedAt > previous.at) {
			const rate = Math.max(0, (total - previous.total) / ((receivedAt - previous.at) / 1000));
			set('events-rate', num(rate));
			eventRates.push({ x: receivedAt, y: Number(rate.toFixed(2)) });
			if (eventRates.length > EVENT_POINTS) eventRates.shift();
		}
		previous = { total, at: receivedAt };
		set('events-total', `${num(total)} total · ${Object.keys(d.events.byType).length} types`);

		const c = d.commands;
		set('commands', num(c.served));
		const failures = c.byCommand.reduce((sum, e) => sum + e.failures, 0);
		set('commands-sub', `${num(c.perMinute, '0')}/min · ${failures} failed`);

		// The heartbeat needs one round trip (up to ~40 s after connecting); REST p95 stands in until then.
		const gateway = d.gatewayLatencyMs.max;
		const restP95 = d.rest ? d.rest.p95Ms : null;
		set('latency', num(gateway ?? restP95));
		set('latency-sub', gateway !== null ? `gateway heartbeat · REST p95 ${num(restP95)} ms` : restP95 !== null ? `REST p95 · heartbeat not measured yet` : 'no sample yet');

		const reporter = data.modules.reporter || {};
		set('queue', num(reporter.queueDepth));
		set('spool', `spool ${bytes(reporter.spoolBytes)} · ${num(reporter.sentMessages)} sent`);

		const mem = data.system.memory;
		set('rss', mem.rssBytes === null ? '—' : num(mem.rssBytes / 1048576));
		set('memory-sub', `heap ${bytes(mem.heapUsedBytes)} · host ${num(mem.hostUsedPercent)}%`);

		renderAlerts(data.health ? data.health.activeAlerts : []);
		renderTable('event-types', Object.entries(d.events.byType).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([type, count]) => [type, num(count)]), 'No events yet');
		renderTable('modules', Object.entries(data.modules).map(([name, m]) => [name, `${m.enabled ? 'running' : 'off'}${m.errorCount ? ` · ${m.errorCount} errors` : ''}`]), '—');
		$('version').textContent = `Nexus ${data.system.version ?? ''}`;
		$('instance').textContent = `Operations dashboard · ${d.shards.length} shard${d.shards.length === 1 ? '' : 's'}`;
		updateCharts(data);
	}

	function renderAlerts(list) {
		const ul = $('alerts');
		ul.replaceChildren(
			...(list.length === 0
				? [Object.assign(document.createElement('li'), { className: 'muted', textContent: 'None' })]
				: list.map((alert) => {
						const li = document.createElement('li');
						li.className = alert.level;
						li.textContent = `${alert.label}: ${alert.value ?? ''}${alert.detail ? ` (${alert.detail})` : ''}`;
						const since = document.createElement('small');
						since.textContent = `${alert.level} since ${new Date(alert.since).toLocaleTimeString()}`;
						li.append(since);
						return li;
					}))
		);
	}

	function renderTable(id, rows, empty) {
		const body = $(id);
		const trs = rows.length === 0 ? [[empty, '']] : rows;
		body.replaceChildren(
			...trs.map((cells) => {
				const tr = document.createElement('tr');
				for (const cell of cells) tr.append(Object.assign(document.createElement('td'), { textContent: cell }));
				return tr;
			})
		);
	}

	// ---------- polling ----------
	async function poll() {
		const token = sessionStorage.getItem(TOKEN_KEY);
		if (!token) return showLogin('');
		try {
			const response = await fetch('/api/metrics', { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
			if (response.status === 401) {
				sessionStorage.removeItem(TOKEN_KEY);
				return showLogin('That token was not accepted.');
			}
			if (!response.ok) throw new Error(`HTTP ${response.status}`);
			const data = await response.json();
			$('login').hidden = true;
			$('board').hidden = false;
			$('sign-out').hidden = false;
			$('banner').hidden = true;
			render(data, Date.now());
			$('updated').textContent = `Updated ${new Date().toLocaleTimeString()} · every ${refreshSeconds} s`;
			document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
		} catch (error) {
			$('banner').hidden = false;
			$('banner').textContent = `Cannot reach the bot (${error.message}); retrying every ${refreshSeconds} s. Values below are from the last successful update.`;
			setStatus('offline', 'Unreachable');
		}
		clearTimeout(timer);
		timer = setTimeout(poll, refreshSeconds * 1000);
	}

	function start() {
		$('login').hidden = true;
		previous = undefined;
		void poll();
	}

	if (sessionStorage.getItem(TOKEN_KEY)) start();
	else showLogin('');
})();
