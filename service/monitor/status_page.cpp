#include "monitor/status_page.h"

namespace rowchain::monitor {

std::string_view StatusPageHtml() {
  static constexpr std::string_view kPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rowchaind</title>
<style>
  :root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6470; --bg: #f6f7f9; --card: #fff; --line: #2f7de1; --bad: #c62828; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --muted: #9aa3ad; --bg: #121417; --card: #1c1f24; --line: #6aa8ff; --bad: #ff6b6b; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
  header { padding: 12px 16px; display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  .big { font-size: 28px; font-weight: 600; }
  .muted { color: var(--muted); }
  .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; padding: 0 12px 16px; }
  section { background: var(--card); border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px #0002; overflow-x: auto; }
  section h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px 3px 0; vertical-align: top; }
  th { color: var(--muted); font-weight: 500; font-size: 13px; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  svg { width: 100%; height: 120px; display: block; }
  .bad { color: var(--bad); font-weight: 600; }
  #error { color: var(--bad); padding: 0 16px; }
</style>
</head>
<body>
<header>
  <h1>rowchaind</h1>
  <span>chain <b id="chain">…</b></span>
  <span>height <span class="big" id="height">…</span></span>
  <span class="mono" id="hash"></span>
  <span class="muted" id="updated"></span>
</header>
<div id="error"></div>
<main>
  <section><h2>Mining</h2>
    <div class="muted" id="miner"></div>
    <table><thead><tr><th>device</th><th class="num">hash rate</th></tr></thead><tbody id="devices"></tbody></table>
    <svg id="chart" viewBox="0 0 300 120" preserveAspectRatio="none" aria-label="hash rate, last 15 minutes"></svg>
    <div class="muted">hash rate per device, last 15 minutes</div>
  </section>
  <section><h2>GPUs</h2>
    <table><thead><tr><th>gpu</th><th class="num">°C</th><th class="num">W</th><th class="num">util %</th><th>state</th></tr></thead><tbody id="gpus"></tbody></table>
    <div class="muted" id="nogpu"></div>
  </section>
  <section><h2>Pool and peers</h2>
    <table><tbody>
      <tr><th>pending batches</th><td class="num" id="pending_batches"></td></tr>
      <tr><th>pending rows</th><td class="num" id="pending_rows"></td></tr>
      <tr><th>peers</th><td class="num" id="peers"></td></tr>
    </tbody></table>
  </section>
  <section><h2>Rejects</h2>
    <table><thead><tr><th>what</th><th>reason</th><th class="num">count</th></tr></thead><tbody id="rejects"></tbody></table>
  </section>
  <section style="grid-column: 1 / -1"><h2>Last blocks</h2>
    <table><thead><tr><th class="num">height</th><th>time (UTC)</th><th class="num">rows</th><th>hash / first rows</th></tr></thead><tbody id="blocks"></tbody></table>
  </section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const text = (s) => document.createTextNode(String(s));
function cell(row, content, cls) { const td = row.insertCell(); if (cls) td.className = cls; td.appendChild(typeof content === "object" ? content : text(content)); return td; }
function rate(h) { const u = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s"]; let i = 0; while (h >= 1000 && i < u.length - 1) { h /= 1000; i++; } return h.toFixed(h < 10 ? 2 : 1) + " " + u[i]; }
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
function chart(devices) {
  const svg = $("chart"); clear(svg);
  let max = 1, t0 = Infinity, t1 = 0;
  for (const d of devices) for (const [t, r] of d.history) { max = Math.max(max, r); t0 = Math.min(t0, t); t1 = Math.max(t1, t); }
  if (!(t1 > t0)) return;
  const colors = ["#2f7de1", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085"];
  devices.forEach((d, i) => {
    const pts = d.history.map(([t, r]) => ((t - t0) / (t1 - t0) * 300).toFixed(1) + "," + (118 - r / max * 112).toFixed(1)).join(" ");
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", pts); line.setAttribute("fill", "none"); line.setAttribute("stroke", colors[i % colors.length]); line.setAttribute("stroke-width", "2");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    svg.appendChild(line);
  });
}
function render(s) {
  $("chain").textContent = s.chain; $("height").textContent = s.height; $("hash").textContent = s.hash;
  $("updated").textContent = "updated " + s.time_iso; $("miner").textContent = "miner: " + (s.miner || "off");
  $("pending_batches").textContent = s.pending_batches; $("pending_rows").textContent = s.pending_rows; $("peers").textContent = s.peers;
  const dev = $("devices"); clear(dev);
  for (const d of s.devices) { const r = dev.insertRow(); r.className = "device"; cell(r, d.backend + " " + d.device); cell(r, rate(d.hashes_per_second), "num"); }
  chart(s.devices);
  const g = $("gpus"); clear(g);
  for (const x of s.gpus) {
    const r = g.insertRow(); r.className = "gpu";
    cell(r, x.gpu + " " + x.modelName); cell(r, x.temperature_c, "num"); cell(r, x.power_w.toFixed(0), "num"); cell(r, x.utilization_percent, "num");
    const st = cell(r, x.paused ? "paused: " + x.paused : "mining"); if (x.paused) st.className = "bad";
  }
  $("nogpu").textContent = s.gpus.length ? "" : "no GPU telemetry (no NVML on this host)";
  const rj = $("rejects"); clear(rj);
  for (const [what, m] of [["block", s.block_rejects], ["batch", s.batch_rejects]]) for (const k in m) { const r = rj.insertRow(); cell(r, what); cell(r, k); cell(r, m[k], "num"); }
  const b = $("blocks"); clear(b);
  for (const x of s.blocks) {
    const r = b.insertRow(); r.className = "block";
    cell(r, x.height, "num"); cell(r, x.time_iso.replace("T", " ").replace("Z", "")); cell(r, x.row_count, "num");
    const d = document.createElement("div"); d.className = "mono"; d.appendChild(text(x.hash));
    for (const row of x.rows) { const l = document.createElement("div"); l.appendChild(text(row.op + " " + row.table + " (" + row.values.join(", ") + ")")); d.appendChild(l); }
    cell(r, d);
  }
}
async function refresh() {
  try { const r = await fetch("status.json", {cache: "no-store"}); render(await r.json()); $("error").textContent = ""; }
  catch (e) { $("error").textContent = "cannot reach the node: " + e; }
}
refresh(); setInterval(refresh, 5000);
</script>
</body>
</html>
)HTML";
  return kPage;
}

}  // namespace rowchain::monitor
