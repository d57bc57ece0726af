// The liveability map: residential parcels coloured by the services they miss (or by one service),
// facilities as points, the isochrone outline of the chosen service. Everything is GeoJSON of the page.
import * as maplibregl from "/static/vendor/maplibre/maplibre-gl.mjs";

const cfg = JSON.parse(document.getElementById("lv-config").textContent);
const el = document.getElementById("map");
const legend = document.getElementById("legend");
const kindLegend = document.getElementById("kind-legend");
const select = document.getElementById("service-select");

function fillFor(service) {
  if (service) {
    const m = ["match", ["get", "s_" + service]];
    for (const r of cfg.covered) m.push(r.value, r.colour);
    m.push("#cccccc");
    return m;
  }
  const m = ["step", ["get", "miss"], cfg.missing[0].colour];
  for (const r of cfg.missing.slice(1)) m.push(r.value, r.colour);
  return m;
}

function rows(target, items) {
  target.replaceChildren(...items.map((r) => {
    const d = document.createElement("div");
    const i = document.createElement("i"); i.style.background = r.colour;
    if (r.round) i.style.borderRadius = "50%";
    d.append(i, document.createTextNode(r.label));
    return d;
  }));
}

function showLegend(service) {
  rows(legend, service ? cfg.covered : cfg.missing);
  rows(kindLegend, cfg.kinds.map((k) => ({ ...k, round: true })));
}

const kindColour = ["match", ["get", "kind"]];
for (const k of cfg.kinds) kindColour.push(k.value, k.colour);
kindColour.push("#333333");

const style = {
  version: 8,
  sources: {
    parcels: { type: "geojson", data: cfg.layers.parcels },
    facilities: { type: "geojson", data: cfg.layers.facilities },
    iso: { type: "geojson", data: cfg.layers.isochrones },
    roads: { type: "geojson", data: cfg.layers.roads },
    sites: { type: "geojson", data: cfg.sites || { type: "FeatureCollection", features: [] } },
  },
  layers: [
    { id: "background", type: "background", paint: { "background-color": "#f3f1ec" } },
    { id: "parcels-fill", type: "fill", source: "parcels", paint: { "fill-color": fillFor(cfg.service), "fill-opacity": 0.85 } },
    { id: "parcels-line", type: "line", source: "parcels", paint: { "line-color": "#555", "line-width": 0.4 } },
    { id: "roads", type: "line", source: "roads", paint: { "line-color": "#9e9e9e", "line-width": 1.2 } },
    { id: "iso-line", type: "line", source: "iso", filter: ["==", ["get", "service"], cfg.service || "__none__"],
      paint: { "line-color": "#0033cc", "line-width": 2.2, "line-dasharray": [2, 1] } },
    { id: "facilities", type: "circle", source: "facilities",
      paint: { "circle-radius": 4.5, "circle-color": kindColour, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
    { id: "sites", type: "circle", source: "sites",
      paint: { "circle-radius": 9, "circle-color": "#ffd600", "circle-stroke-color": "#000", "circle-stroke-width": 2 } },
  ],
};

const b = cfg.bounds;
const map = new maplibregl.Map({
  container: "map", style, attributionControl: false,
  bounds: b ? [[b[0], b[1]], [b[2], b[3]]] : undefined, fitBoundsOptions: { padding: 30 },
  center: b ? undefined : [116, 36], zoom: b ? undefined : 4, maxZoom: 20, dragRotate: false,
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
window.jiyueMap = map;

function setService(service) {
  map.setPaintProperty("parcels-fill", "fill-color", fillFor(service));
  map.setFilter("iso-line", ["==", ["get", "service"], service || "__none__"]);
  showLegend(service);
  const u = new URL(location.href);
  if (service) u.searchParams.set("service", service); else u.searchParams.delete("service");
  history.replaceState(null, "", u);
}
select.addEventListener("change", (e) => setService(e.target.value));

const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: true });
function text(s) { return String(s).replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" }[c])); }
map.on("click", "facilities", (e) => {
  const p = e.features[0].properties;
  popup.setLngLat(e.lngLat).setHTML(`<b>${text(p.name || p.id)}</b><br>${text(p.label)}（${text(p.id)}）`).addTo(map);
});
map.on("click", "parcels-fill", (e) => {
  if (map.queryRenderedFeatures(e.point, { layers: ["facilities"] }).length) return;
  const p = e.features[0].properties;
  const miss = cfg.services.filter((s) => p["s_" + s.key] === 0).map((s) => s.label);
  popup.setLngLat(e.lngLat).setHTML(`<b>宗地 ${text(p.pid)}</b>（约 ${text(p.pop)} 人）<br>` +
    (miss.length ? "步行可达范围外：" + text(miss.join("、")) : "全部配套设施均可步行到达")).addTo(map);
});
map.on("load", () => showLegend(cfg.service));
map.on("idle", () => { el.setAttribute("data-ready", "1"); });
