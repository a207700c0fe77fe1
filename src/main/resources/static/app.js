// The live cluster page: polls /cluster/overview of the node that served it once a second and redraws one
// card per node. No framework, no build step: every value goes into the DOM through textContent.
"use strict";

(() => {
	const POLL_MILLIS = 1000;
	const MAX_EVENTS = 50;
	// The charts show the last five minutes, one point per poll.
	const HISTORY_MILLIS = 5 * 60 * 1000;
	const CHARTS = [
		["ops", "ops/s"],
		["p99", "p99 ms"],
		["lag", "lag"],
	];
	const SVG = "http://www.w3.org/2000/svg";
	const FIELDS = [
		["epoch", "Epoch"],
		["index", "Last / commit index"],
		["lag", "Replication lag"],
		["inSync", "In sync"],
		["contact", "Last contact"],
		["ops", "Client ops/s"],
		["reachable", "Reachable"],
	];

	const $ = (id) => document.getElementById(id);
	const cards = new Map();
	const history = new Map();
	const previousOps = new Map();
	const wasReachable = new Map();
	const names = new Map();
	let shownPrimary = null;
	let connected = null;

	function event(text) {
		const item = document.createElement("li");
		const time = document.createElement("time");
		const now = new Date();
		time.dateTime = now.toISOString();
		time.textContent = now.toLocaleTimeString();
		item.append(time, " " + text);
		$("events").append(item);
		while ($("events").children.length > MAX_EVENTS) {
			$("events").firstElementChild.remove();
		}
	}

	function setConnection(ok, why) {
		if (ok === connected) {
			return;
		}
		connected = ok;
		const status = $("connection");
		status.dataset.state = ok ? "live" : "lost";
		status.textContent = ok ? "Live: refreshed every second."
			: "Lost contact with the node serving this page (" + why + ") at " + new Date().toLocaleTimeString()
				+ ". Open another node's page from its card.";
		$("app").classList.toggle("stale", !ok);
	}

	function card(key) {
		let article = cards.get(key);
		if (article) {
			return article;
		}
		article = document.createElement("article");
		article.className = "node";
		const header = document.createElement("header");
		const title = document.createElement("h3");
		title.dataset.field = "title";
		const note = document.createElement("span");
		note.className = "note";
		note.dataset.field = "note";
		const badge = document.createElement("span");
		badge.className = "badge";
		badge.dataset.field = "role";
		header.append(title, note, badge);
		const link = document.createElement("a");
		link.dataset.field = "url";
		const list = document.createElement("dl");
		for (const [field, label] of FIELDS) {
			const row = document.createElement("div");
			const term = document.createElement("dt");
			term.textContent = label;
			const value = document.createElement("dd");
			value.dataset.field = field;
			row.append(term, value);
			list.append(row);
		}
		const charts = document.createElement("div");
		charts.className = "charts";
		for (const [chart, label] of CHARTS) {
			const figure = document.createElement("figure");
			figure.dataset.chart = chart;
			const caption = document.createElement("figcaption");
			const name = document.createElement("span");
			name.textContent = label;
			const peak = document.createElement("span");
			peak.className = "peak";
			caption.append(name, peak);
			const svg = document.createElementNS(SVG, "svg");
			svg.setAttribute("viewBox", "0 0 300 40");
			svg.setAttribute("preserveAspectRatio", "none");
			svg.setAttribute("role", "img");
			svg.setAttribute("aria-label", label + " over the last five minutes");
			const line = document.createElementNS(SVG, "polyline");
			svg.append(line);
			figure.append(caption, svg);
			charts.append(figure);
		}
		article.append(header, link, list, charts);
		cards.set(key, article);
		[...cards.keys()].sort().forEach((k) => $("nodes").append(cards.get(k)));
		return article;
	}

	function set(article, field, text) {
		article.querySelector('[data-field="' + field + '"]').textContent = text;
	}

	// Adds this poll's figures to the node's history and redraws its three charts: a line per chart, scaled to the
	// highest point shown (printed beside the chart's name), over the time the page has watched, five minutes at most.
	function chart(article, key, now, point) {
		const points = history.get(key) || [];
		points.push({ at: now, ...point });
		while (points.length && points[0].at < now - HISTORY_MILLIS) {
			points.shift();
		}
		history.set(key, points);
		for (const [name] of CHARTS) {
			const figure = article.querySelector('[data-chart="' + name + '"]');
			const shown = points.filter((p) => typeof p[name] === "number" && Number.isFinite(p[name]));
			const peak = Math.max(0, ...shown.map((p) => p[name]));
			figure.querySelector(".peak").textContent = shown.length
				? "max " + (peak < 10 ? peak.toFixed(1) : Math.round(peak)) : "—";
			figure.dataset.points = shown.length;
			const scale = peak > 0 ? peak : 1;
			const span = Math.max(now - points[0].at, 10 * POLL_MILLIS);
			figure.querySelector("polyline").setAttribute("points", shown
				.map((p) => (300 - (now - p.at) * 300 / span).toFixed(1) + "," + (38 - p[name] * 36 / scale).toFixed(1))
				.join(" "));
		}
	}

	function ago(millis) {
		if (millis === undefined || millis < 0) {
			return "never";
		}
		return millis < 1000 ? millis + " ms ago" : (millis / 1000).toFixed(1) + " s ago";
	}

	function opsPerSecond(key, node, now) {
		const before = previousOps.get(key);
		if (!node.reachable) {
			previousOps.delete(key);
			return "—";
		}
		previousOps.set(key, { count: node.clientOps, at: now });
		if (!before || node.clientOps < before.count) {
			return "…";
		}
		return ((node.clientOps - before.count) / ((now - before.at) / 1000)).toFixed(1);
	}

	// The freshest word any other reachable node has of this one.
	function lastContact(nodes, node, id) {
		const seen = nodes.filter((n) => n.reachable && n !== node)
			.flatMap((n) => n.cluster.peers)
			.filter((p) => (p.nodeId === id || p.url === node.url) && p.lastContactMillis >= 0)
			.map((p) => p.lastContactMillis);
		return seen.length ? ago(Math.min(...seen)) : "—";
	}

	function showPrimary(primary, epoch) {
		$("primary").textContent = primary ? primary.nodeId : "none reachable";
		$("epoch").textContent = epoch >= 0 ? epoch : "—";
		$("summary").dataset.primary = primary ? primary.nodeId : "";
		$("summary").dataset.epoch = epoch >= 0 ? epoch : "";
		const now = primary ? primary.cluster.epoch + ":" + primary.nodeId : "none";
		if (now !== shownPrimary) {
			if (primary) {
				event("epoch " + primary.cluster.epoch + ": " + primary.nodeId
					+ (shownPrimary === null ? " is primary" : " became primary"));
			}
			else {
				event("no primary reachable");
			}
			shownPrimary = now;
		}
	}

	function render(overview, now) {
		const nodes = overview.nodes;
		const up = nodes.filter((n) => n.reachable);
		const primary = up.filter((n) => n.cluster.role === "PRIMARY")
			.sort((x, y) => y.cluster.epoch - x.cluster.epoch)[0];
		showPrimary(primary, Math.max(-1, ...up.map((n) => n.cluster.epoch)));
		const keys = new Set();
		for (const node of nodes) {
			if (node.nodeId) {
				names.set(node.url, node.nodeId);
			}
			const key = node.nodeId || names.get(node.url) || node.url;
			keys.add(key);
			const article = card(key);
			const role = node.reachable ? node.cluster.role : "UNREACHABLE";
			const isPrimary = node === primary;
			const view = primary && !isPrimary
				? primary.cluster.peers.find((p) => p.nodeId === node.nodeId) : undefined;
			article.dataset.nodeId = key;
			article.dataset.role = role;
			article.dataset.reachable = node.reachable;
			article.setAttribute("aria-label", "node " + key + ", " + role.toLowerCase());
			set(article, "title", key);
			set(article, "note", node.self ? "serving this page" : "");
			set(article, "role", role);
			const link = article.querySelector('[data-field="url"]');
			link.textContent = node.url;
			link.href = /^https?:\/\//.test(node.url) ? node.url + "/" : "#";
			set(article, "epoch", node.reachable ? node.cluster.epoch : "—");
			set(article, "index", node.reachable ? node.cluster.lastIndex + " / " + node.cluster.commitIndex : "—");
			const lag = view && view.matchIndex >= 0 ? primary.cluster.lastIndex - view.matchIndex : undefined;
			set(article, "lag", lag !== undefined ? lag + " entries" : "—");
			set(article, "inSync", view ? (view.inSync ? "yes" : "no") : "—");
			set(article, "contact", lastContact(nodes, node, key));
			const ops = opsPerSecond(key, node, now);
			set(article, "ops", ops);
			chart(article, key, now, {
				ops: Number.parseFloat(ops), p99: node.clientP99Millis, lag: lag,
			});
			set(article, "reachable", node.reachable ? "yes" : "no: " + node.error);
			if (wasReachable.has(key) && wasReachable.get(key) !== node.reachable) {
				event(key + (node.reachable ? " is reachable again" : " is unreachable"));
			}
			wasReachable.set(key, node.reachable);
		}
		for (const [key, article] of cards) {
			if (!keys.has(key)) {
				article.remove();
				cards.delete(key);
			}
		}
	}

	const signInForm = document.getElementById("sign-in");
	signInForm.addEventListener("submit", async (event) => {
		event.preventDefault();
		const token = document.getElementById("token");
		const error = document.getElementById("sign-in-error");
		const response = await fetch("auth/session", {
			method: "POST", headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ token: token.value }),
		});
		token.value = "";
		error.textContent = response.ok ? "" : "not a credential this node knows";
		if (response.ok) {
			signInForm.hidden = true;
		}
	});

	async function poll() {
		const abort = new AbortController();
		const timer = setTimeout(() => abort.abort(), 3 * POLL_MILLIS);
		let overview;
		try {
			const response = await fetch("cluster/overview", {
				cache: "no-store", signal: abort.signal, headers: { Accept: "application/json" },
			});
			if (response.status === 401) {
				// Client authentication is on: the page signs in for a session cookie, since an EventSource or a
				// polled fetch cannot carry a bearer header the browser keeps safe.
				signInForm.hidden = false;
				throw new Error("sign in to see the cluster");
			}
			if (!response.ok) {
				throw new Error("HTTP " + response.status);
			}
			signInForm.hidden = true;
			overview = await response.json();
		}
		catch (error) {
			setConnection(false, error.name === "AbortError" ? "no answer" : error.message);
		}
		finally {
			clearTimeout(timer);
			setTimeout(poll, POLL_MILLIS);
		}
		// Outside the try: a bug in render must show up as an error, not as a lost connection.
		if (overview) {
			setConnection(true);
			render(overview, performance.now());
		}
	}

	poll();
})();
