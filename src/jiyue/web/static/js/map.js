// The parcel map: MapLibre GL on a blank canvas, parcels as vector tiles from the server.
import * as maplibregl from "/static/vendor/maplibre/maplibre-gl.mjs";

const cfg = JSON.parse(document.getElementById("map-config").textContent);
const L = cfg.legends;
const el = document.getElementById("map");
const legend = document.getElementById("legend");
const note = document.getElementById("mode-note");
const card = document.getElementById("card");
let mujun = null;

function buildGroup() {
  // build_class -> legend group (A1..A6, B1, B21, B22, C)
  return ["case",
    ["==", ["slice", ["get", "bc"], 0, 1], "C"], "C",
    ["in", ["get", "bc"], ["literal", ["B11", "B12"]]], "B1",
    ["==", ["length", ["get", "bc"]], 3], ["slice", ["get", "bc"], 0, 2],
    ["get", "bc"]];
}

function matchExpr(input, rows) {
  const m = ["match", input];
  for (const r of rows) m.push(r.value, r.colour);
  m.push(L.none);
  return m;
}

function colourFor(mode) {
  if (mode === "supply") return matchExpr(["get", "sc"], L.supply);
  if (mode === "idle") return matchExpr(["to-string", ["get", "idle"]], L.idle);
  if (mode === "mujun") {
    const m = ["match", ["get", "uid"]];
    const colours = Object.fromEntries(L.mujun.map((r) => [r.value, r.colour]));
    let n = 0;
    for (const [id, cls] of Object.entries((mujun && mujun.classes) || {})) {
      if (id && colours[cls]) { m.push(id, colours[cls]); n++; }
    }
    if (n === 0) return L.none;
    m.push(L.none);
    return m;
  }
  return matchExpr(buildGroup(), L.build);
}

function showLegend(mode) {
  const rows = L[mode] || [];
  legend.replaceChildren(...rows.map((r) => {
    const d = document.createElement("div");
    const i = document.createElement("i"); i.style.background = r.colour;
    d.append(i, document.createTextNode(r.label));
    return d;
  }));
  note.textContent = mode === "mujun" ? (mujun && mujun.unavailable ? mujun.unavailable : "按使用权人当年的亩均效益评价等级着色；灰色为无使用权人或未评价。") : "";
}

const style = {
  version: 8,
  sources: {
    parcels: { type: "vector", tiles: [location.origin + cfg.tiles], minzoom: cfg.minzoom, maxzoom: 18 },
    zone: { type: "geojson", data: cfg.outline },
  },
  layers: [{ id: "background", type: "background", paint: { "background-color": "#f3f1ec" } }],
};
if (cfg.basemap) {
  style.sources.basemap = { type: "raster", tiles: [cfg.basemap], tileSize: 256, attribution: cfg.attribution || "" };
  style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
}
style.layers.push(
  { id: "zone-fill", type: "fill", source: "zone", paint: { "fill-color": "#ffffff", "fill-opacity": 0.6 } },
  { id: "parcels-fill", type: "fill", source: "parcels", "source-layer": "parcels",
    paint: { "fill-color": colourFor(cfg.mode), "fill-opacity": 0.85 } },
  { id: "parcels-line", type: "line", source: "parcels", "source-layer": "parcels", minzoom: 14,
    paint: { "line-color": "#555", "line-width": 0.4 } },
  { id: "parcels-selected", type: "line", source: "parcels", "source-layer": "parcels",
    filter: ["==", ["get", "pid"], ""], paint: { "line-color": "#0033cc", "line-width": 3 } },
  { id: "zone-line", type: "line", source: "zone", paint: { "line-color": "#c62828", "line-width": 2, "line-dasharray": [3, 2] } },
);

const b = cfg.outline.bounds;
const map = new maplibregl.Map({
  container: "map", style, attributionControl: cfg.basemap ? {} : false,
  bounds: b ? [[b[0], b[1]], [b[2], b[3]]] : undefined, fitBoundsOptions: { padding: 30 },
  center: b ? undefined : [116, 36], zoom: b ? undefined : 4, maxZoom: 20, dragRotate: false,
  localIdeographFontFamily: "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif",
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
window.jiyueMap = map;

async function loadMujun() {
  if (mujun) return mujun;
  try {
    const r = await fetch(cfg.mujun, { credentials: "same-origin" });
    mujun = r.ok ? await r.json() : { classes: {}, unavailable: "亩均评价结果无法读取" };
  } catch (e) { mujun = { classes: {}, unavailable: String(e) }; }
  return mujun;
}

async function setMode(mode) {
  if (mode === "mujun") await loadMujun();
  map.setPaintProperty("parcels-fill", "fill-color", colourFor(mode));
  showLegend(mode);
  const u = new URL(location.href); u.searchParams.set("mode", mode); history.replaceState(null, "", u);
}
document.getElementById("mode-select").addEventListener("change", (e) => setMode(e.target.value));

async function openCard(pid) {
  map.setFilter("parcels-selected", ["==", ["get", "pid"], pid]);
  card.innerHTML = "<p class='muted'>正在读取宗地 " + pid.replace(/[<>&]/g, "") + " …</p>";
  const r = await fetch(cfg.card.replace("{pid}", encodeURIComponent(pid)), { credentials: "same-origin" });
  card.innerHTML = await r.text();  // server-rendered, escaped HTML of our own origin
  card.setAttribute("data-parcel", pid);
}
window.jiyueOpenCard = openCard;

map.on("click", "parcels-fill", (e) => { if (e.features && e.features.length) openCard(e.features[0].properties.pid); });
map.on("mouseenter", "parcels-fill", () => { map.getCanvas().style.cursor = "pointer"; });
map.on("mouseleave", "parcels-fill", () => { map.getCanvas().style.cursor = ""; });
map.on("load", async () => {
  if (cfg.mode === "mujun") await setMode("mujun"); else showLegend(cfg.mode);
  if (cfg.parcel) openCard(cfg.parcel);
});
map.on("idle", () => { el.setAttribute("data-ready", "1"); });
function hint() {
  document.getElementById("map-hint").textContent = map.getZoom() < cfg.minzoom
    ? "请放大地图以显示宗地（底图为空白画布，不加载任何外部地图）。"
    : "底图为空白画布（不加载任何外部地图）；点击宗地查看宗地卡片。";
}
map.on("zoomend", hint);
map.on("load", hint);
