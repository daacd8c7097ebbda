// Kakapo lease dashboard: talks to the agent's own REST API (POST / with
// {"command", "service", "arguments"}) on the same origin, so the browser's credentials apply.
// No build step, no external resources. Every value from a daemon is shown with textContent.
"use strict";

const SERVICES = ["dhcp4", "dhcp6"];
const LOG_SERVICES = ["dhcp4", "dhcp6", "d2"];
const POLL_MS = 5000;
const OWN_COMMANDS = ["statistic-get-all", "kakapo-log-get", "config-get"];

const state = {
  present: {},        // service -> true once it answered
  subnets: {},        // service -> {id: {subnet, renew, rebind}}
  globals: {},        // service -> {renew, rebind}
  lastStats: {},      // service -> {time, values}
};

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "style") e.setAttribute("style", v);
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
}

function setStatus(text, isError) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = isError ? "error" : "muted";
}

// One command to one service; resolves to that service's answer object ({result, text, arguments}).
async function command(service, name, args) {
  const body = { command: name };
  if (service) body.service = [service];
  if (args !== undefined) body.arguments = args;
  const r = await fetch("/", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!r.ok) throw new Error(`HTTP ${r.status} for ${name}`);
  const j = await r.json();
  return Array.isArray(j) ? (j[0] || { result: 1, text: "empty answer" }) : j;
}

function newest(v) {
  // statistic-get-all: {"name": [[value, "time"], ...]}
  return Array.isArray(v) && Array.isArray(v[0]) ? v[0][0] : v;
}

// ---- configuration: subnet prefixes and timers, for labels and the lease timeline ----

async function loadConfig(service) {
  try {
    const a = await command(service, "config-get");
    if (a.result !== 0 || !a.arguments) return;
    const root = a.arguments[service === "dhcp4" ? "Dhcp4" : "Dhcp6"] || {};
    const key = service === "dhcp4" ? "subnet4" : "subnet6";
    const subnets = {};
    const take = (list, inherited) => {
      for (const s of list || []) {
        subnets[s.id] = {
          subnet: s.subnet,
          renew: s["renew-timer"] ?? inherited["renew-timer"] ?? root["renew-timer"],
          rebind: s["rebind-timer"] ?? inherited["rebind-timer"] ?? root["rebind-timer"],
        };
      }
    };
    take(root[key], {});
    for (const n of root["shared-networks"] || []) take(n[key], n);
    state.subnets[service] = subnets;
    state.globals[service] = { renew: root["renew-timer"], rebind: root["rebind-timer"] };
  } catch (e) { /* labels fall back to subnet IDs */ }
}

// ---- pool utilization and packet rates ----

function utilizationRows(service, stats) {
  // Per subnet (and per pool when the daemon has pool statistics): assigned of total.
  const kinds = service === "dhcp4" ? [["addresses", "addresses"]] : [["nas", "addresses"], ["pds", "prefixes"]];
  const rows = [];
  const re = /^subnet\[(\d+)\]\.(?:(pool|pd-pool)\[(\d+)\]\.)?(total|assigned)-(addresses|nas|pds)$/;
  const acc = {};
  for (const [name, v] of Object.entries(stats)) {
    const m = re.exec(name);
    if (!m) continue;
    const key = `${m[1]}|${m[2] || ""}|${m[3] || ""}|${m[5]}`;
    acc[key] = acc[key] || { subnet: m[1], scope: m[2] || "", pool: m[3] || "", kind: m[5] };
    acc[key][m[4]] = Number(newest(v));
  }
  for (const r of Object.values(acc)) {
    const kind = kinds.find(k => k[0] === r.kind);
    if (!kind || !(r.total > 0)) continue;
    rows.push({ ...r, what: kind[1] });
  }
  rows.sort((a, b) => (Number(a.subnet) - Number(b.subnet)) || a.scope.localeCompare(b.scope) ||
    (Number(a.pool || -1) - Number(b.pool || -1)) || a.kind.localeCompare(b.kind));
  return rows;
}

function renderPools(all) {
  const box = document.getElementById("pools");
  box.textContent = "";
  box.className = "";
  let n = 0;
  for (const [service, stats] of all) {
    for (const r of utilizationRows(service, stats)) {
      const info = (state.subnets[service] || {})[r.subnet];
      const name = `${service} subnet ${r.subnet}` + (info && info.subnet ? ` (${info.subnet})` : "") +
        (r.scope ? ` ${r.scope} ${r.pool}` : "") + ` ${r.what}`;
      const assigned = r.assigned || 0;
      const pct = Math.min(100, 100 * assigned / r.total);
      const fill = el("div", { class: "fill" + (pct >= 95 ? " full" : pct >= 80 ? " warn" : ""), style: `width: ${pct.toFixed(1)}%` });
      box.appendChild(el("div", { class: "pool", "data-service": service, "data-subnet": r.subnet, "data-scope": r.scope ? `${r.scope}[${r.pool}]` : "", "data-kind": r.kind, "data-assigned": String(assigned), "data-total": String(r.total) },
        el("div", { class: "label" }, el("span", {}, name),
          el("span", { class: "figures" }, `${assigned} / ${r.total} (${pct.toFixed(1)}%)`)),
        el("div", { class: "bar" }, fill)));
      n++;
    }
  }
  if (n === 0) { box.className = "muted"; box.textContent = "no subnets with pools"; }
}

function renderRates(all, now) {
  const body = document.querySelector("#rates tbody");
  body.textContent = "";
  for (const [service, stats] of all) {
    const prev = state.lastStats[service];
    const values = {};
    for (const [name, v] of Object.entries(stats)) {
      if (/^pkt[46]-/.test(name)) values[name] = Number(newest(v));
    }
    const names = Object.keys(values).filter(n => values[n] > 0 || /^pkt[46]-(received|sent)$/.test(n)).sort();
    for (const name of names) {
      let rate = "–";
      if (prev && name in prev.values && now > prev.time) {
        const d = values[name] - prev.values[name];
        rate = d >= 0 ? (d / ((now - prev.time) / 1000)).toFixed(2) : "reset";
      }
      body.appendChild(el("tr", { "data-stat": name },
        el("td", {}, service), el("td", {}, name), el("td", { class: "num" }, String(values[name])), el("td", { class: "num" }, rate)));
    }
    state.lastStats[service] = { time: now, values };
  }
}

async function pollStatistics() {
  const all = [];
  const errors = [];
  for (const service of SERVICES) {
    try {
      const a = await command(service, "statistic-get-all");
      if (a.result === 0 && a.arguments) {
        if (!state.present[service]) { state.present[service] = true; await loadConfig(service); }
        all.push([service, a.arguments]);
      }
    } catch (e) { errors.push(`${service}: ${e.message}`); }
  }
  const now = Date.now();
  renderPools(all);
  renderRates(all, now);
  if (errors.length) setStatus(errors.join("; "), true);
  else setStatus(`servers: ${all.map(x => x[0]).join(", ") || "none answering"} · updated ${new Date(now).toLocaleTimeString()}`, false);
}

// ---- lease search ----

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const HEXID = /^([0-9a-f]{2}[:-]?)+[0-9a-f]{2}$/i;

function guessKind(q) {
  if (IPV4.test(q)) return "address";
  if (MAC.test(q)) return "mac";
  if (q.includes(":") && /^[0-9a-f:.]+$/i.test(q) && (q.includes("::") || q.split(":").some(g => g.length > 2))) return "address";
  if (HEXID.test(q)) return "duid";
  return "hostname";
}

// The queries for a search: [service, command, arguments].
function queries(kind, q) {
  switch (kind) {
    case "address":
      return IPV4.test(q) ? [["dhcp4", "lease4-get", { "ip-address": q }]]
        : [["dhcp6", "lease6-get", { "ip-address": q, type: "IA_NA" }], ["dhcp6", "lease6-get", { "ip-address": q, type: "IA_PD" }]];
    case "mac": return [["dhcp4", "lease4-get-by-hw-address", { "hw-address": q }]];
    case "client-id": return [["dhcp4", "lease4-get-by-client-id", { "client-id": q }]];
    case "duid": return [["dhcp6", "lease6-get-by-duid", { duid: q }], ["dhcp4", "lease4-get-by-client-id", { "client-id": q }]];
    case "hostname": return [["dhcp4", "lease4-get-by-hostname", { hostname: q }], ["dhcp6", "lease6-get-by-hostname", { hostname: q }]];
  }
  return [];
}

function timersFor(service, lease) {
  const s = (state.subnets[service] || {})[lease["subnet-id"]] || state.globals[service] || {};
  const valid = Number(lease["valid-lft"]) || 0;
  const t1 = s.renew !== undefined ? Number(s.renew) : valid * 0.5;
  const t2 = s.rebind !== undefined ? Number(s.rebind) : valid * 0.875;
  return { t1: Math.min(t1, valid), t2: Math.min(t2, valid), derived: s.renew === undefined };
}

function fmtTime(epoch) {
  return new Date(epoch * 1000).toLocaleString();
}

function timeline(service, lease) {
  const cltt = Number(lease.cltt), valid = Number(lease["valid-lft"]);
  if (!(cltt > 0) || !(valid > 0)) return el("div", { class: "muted" }, "no timeline (no cltt or lifetime)");
  const { t1, t2, derived } = timersFor(service, lease);
  const pct = x => `${(100 * x / valid).toFixed(2)}%`;
  const now = Date.now() / 1000;
  const bar = el("div", { class: "timeline", style: `--t1: ${pct(t1)}; --t2: ${pct(t2)}` , "data-cltt": String(cltt), "data-expire": String(cltt + valid) },
    el("div", { class: "track" }),
    el("div", { class: "mark first", style: "left: 0" }, el("span", {}, "cltt")),
    el("div", { class: "mark", style: `left: ${pct(t1)}` }, el("span", {}, "T1 renew")),
    el("div", { class: "mark", style: `left: ${pct(t2)}` }, el("span", {}, "T2 rebind")),
    el("div", { class: "mark last", style: "left: calc(100% - 2px)" }, el("span", {}, "expiry")));
  if (now >= cltt && now <= cltt + valid) {
    bar.appendChild(el("div", { class: "mark now", style: `left: ${pct(now - cltt)}` }, el("span", {}, "now")));
  }
  const legend = el("div", { class: "muted small" },
    `last transmission ${fmtTime(cltt)} · renew ${fmtTime(cltt + t1)} · rebind ${fmtTime(cltt + t2)} · expires ${fmtTime(cltt + valid)}` +
    (derived ? " (T1/T2 from the client's defaults, 50% and 87.5%)" : ""));
  return el("div", {}, bar, legend);
}

const LEASE_FIELDS = [
  ["ip-address", "Address"], ["prefix-len", "Prefix length"], ["type", "Type"], ["hw-address", "MAC"],
  ["client-id", "Client ID"], ["duid", "DUID"], ["iaid", "IAID"], ["hostname", "Host name"], ["subnet-id", "Subnet"],
  ["pool-id", "Pool"], ["state", "State"], ["valid-lft", "Valid lifetime"], ["preferred-lft", "Preferred lifetime"],
  ["cltt", "CLTT"], ["fqdn-fwd", "DNS forward"], ["fqdn-rev", "DNS reverse"],
];
const STATES = { 0: "default", 1: "declined", 2: "expired-reclaimed" };

function renderLease(service, lease) {
  const dl = el("dl");
  for (const [key, label] of LEASE_FIELDS) {
    if (lease[key] === undefined || lease[key] === "") continue;
    let v = lease[key];
    if (key === "state") v = `${v} (${STATES[v] || "?"})`;
    if (key === "cltt") v = `${v} (${fmtTime(Number(v))})`;
    dl.appendChild(el("dt", {}, label));
    dl.appendChild(el("dd", { "data-field": key }, String(v)));
  }
  return el("div", { class: "lease", "data-service": service }, el("div", { class: "muted small" }, service), dl, timeline(service, lease));
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const q = document.getElementById("search-input").value.trim();
  const box = document.getElementById("search-result");
  box.textContent = "";
  box.removeAttribute("data-done");
  if (!q) { box.setAttribute("data-done", "0"); return; }
  let kind = document.getElementById("search-kind").value;
  if (kind === "auto") kind = guessKind(q);
  box.appendChild(el("div", { class: "muted" }, `searching by ${kind}…`));
  const found = [];
  const errors = [];
  for (const [service, name, args] of queries(kind, q)) {
    if (!state.present[service]) continue;
    try {
      const a = await command(service, name, args);
      if (a.result === 0 && a.arguments) {
        const leases = Array.isArray(a.arguments.leases) ? a.arguments.leases : [a.arguments];
        for (const l of leases) found.push([service, l]);
      } else if (a.result !== 3) {
        errors.push(`${service} ${name}: ${a.text || "result " + a.result}`);
      }
    } catch (e) { errors.push(`${service} ${name}: ${e.message}`); }
  }
  box.textContent = "";
  for (const e of errors) box.appendChild(el("div", { class: "error" }, e));
  if (found.length === 0) box.appendChild(el("div", { class: "muted", "data-empty": "1" }, `no lease found for ${q}`));
  for (const [service, l] of found) box.appendChild(renderLease(service, l));
  box.setAttribute("data-done", String(found.length));
}

// ---- recent log events ----

async function pollLog() {
  const events = [];
  for (const service of LOG_SERVICES) {
    try {
      const a = await command(service, "kakapo-log-get", { limit: 200 });
      if (a.result === 0 && a.arguments && Array.isArray(a.arguments.events)) {
        for (const e of a.arguments.events) {
          // Leave out the daemons' lines about this page's own polling.
          if (e.id === "COMMAND_RECEIVED" && OWN_COMMANDS.some(c => (e.text || "").includes(`'${c}'`))) continue;
          events.push([service, e]);
        }
      }
    } catch (e) { /* a service the agent does not forward to */ }
  }
  events.sort((a, b) => (b[1].timestamp || 0) - (a[1].timestamp || 0));
  const body = document.querySelector("#log tbody");
  body.textContent = "";
  for (const [service, e] of events.slice(0, 50)) {
    body.appendChild(el("tr", { class: "sev-" + e.severity },
      el("td", { title: e.time || "" }, (e.time || "").split(" ").pop()), el("td", {}, service), el("td", {}, e.severity || ""), el("td", {}, e.id || ""), el("td", {}, e.text || "")));
  }
}

async function tick() {
  await pollStatistics();
  await pollLog();
  document.body.setAttribute("data-polled", String((Number(document.body.getAttribute("data-polled")) || 0) + 1));
  setTimeout(tick, POLL_MS);
}

document.getElementById("search-form").addEventListener("submit", search);
tick();
