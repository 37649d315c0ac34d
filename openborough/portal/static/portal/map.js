// Dataset map: the dataset's GeoJSON with clustered markers, over raster tiles
// when a tile server is configured, otherwise over the packaged vector basemap
// (drawn only where it covers the data). Only enhances: the page works without it.
(function () {
  "use strict";
  var el = document.getElementById("ob-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { preferCanvas: true, maxZoom: 19 }).setView([51.55, -0.16], 12);
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.createPane("ob-basemap").style.zIndex = 150;  // under the data (overlays are at 400)
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value === null || value === undefined ? "" : (typeof value === "object" ? JSON.stringify(value) : String(value));
    return span.innerHTML;
  }
  // values as openborough.portal.formatting writes them on the other pages
  var columns = {};
  try { columns = JSON.parse(document.getElementById("ob-map-columns").textContent); } catch (e) { columns = {}; }
  var day = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  var pounds = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function shown(value, type) {
    if (value === null || value === undefined || value === "") { return ""; }
    if (type === "money" && value !== true && isFinite(value)) { return pounds.format(Number(value)); }
    if ((type === "floating_timestamp" || type === "fixed_timestamp") && /^\d{4}-\d\d-\d\dT/.test(value)) {
      var fixed = /(Z|[+-]\d\d:?\d\d)$/.test(value);
      var d = new Date(fixed ? value : value + "Z");  // a floating time is wall-clock time: read it as UTC
      if (isNaN(d)) { return String(value); }
      var h = d.getUTCHours(), m = d.getUTCMinutes(), s = d.getUTCSeconds(), out = day.format(d);
      if (h || m || s || fixed) {
        out += ", " + (h % 12 || 12) + ":" + pad(m) + (s ? ":" + pad(s) : "") + (h < 12 ? "am" : "pm") + (fixed ? " UTC" : "");
      }
      return out;
    }
    if (type === "checkbox") { return value === true || value === "true" ? "Yes" : "No"; }
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  function popup(feature) {
    var props = feature.properties || {};
    var rows = Object.keys(props).slice(0, 12).map(function (k) {
      var col = columns[k] || [k, ""];
      return "<tr><th>" + text(col[0]) + "</th><td>" + text(shown(props[k], col[1])) + "</td></tr>";
    });
    return "<table>" + rows.join("") + "</table>";
  }
  function drawBasemap(geo, dataBounds) {
    var kinds = { borough: [], ward: [], label: [], "ward-label": [] };
    (geo.features || []).forEach(function (f) { (kinds[(f.properties || {}).kind] || kinds.ward).push(f); });
    var boroughs = L.geoJSON(kinds.borough, {
      pane: "ob-basemap", interactive: false, attribution: text(geo.attribution || ""),
      style: { color: "#505a5f", weight: 1.5, fillColor: "#f3f2f1", fillOpacity: 1 }
    });
    var b = boroughs.getBounds();
    if (dataBounds && b.isValid() && !b.intersects(dataBounds)) { return; }  // not this area: draw nothing, credit nothing
    boroughs.addTo(map);
    L.geoJSON(kinds.ward, { pane: "ob-basemap", interactive: false, style: { color: "#b1b4b6", weight: 0.8, fill: false } }).addTo(map);
    function labels(features, cls) {
      return L.layerGroup(features.map(function (f) {
        var c = f.geometry.coordinates;
        return L.marker([c[1], c[0]], {
          pane: "ob-basemap", interactive: false, keyboard: false,
          icon: L.divIcon({ className: cls, html: "<span>" + text(f.properties.name) + "</span>", iconSize: null })
        });
      }));
    }
    var boroughNames = labels(kinds.label, "ob-map-label"), wardNames = labels(kinds["ward-label"], "ob-map-label ob-map-label--ward");
    function byZoom() {  // borough names when zoomed out, ward names when zoomed in
      var wardsShown = map.getZoom() >= 14;
      map[wardsShown ? "removeLayer" : "addLayer"](boroughNames);
      map[wardsShown ? "addLayer" : "removeLayer"](wardNames);
    }
    map.on("zoomend", byZoom);
    byZoom();
    el.setAttribute("data-basemap-drawn", "true");
  }
  var data = fetch(el.dataset.geojson).then(function (r) { return r.json(); }).then(function (geo) {
    var cluster = L.markerClusterGroup({ animate: false, animateAddingMarkers: false });
    var layer = L.geoJSON(geo, {
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6, color: "#1d70b8", weight: 2, fillOpacity: 0.6 }); },
      onEachFeature: function (f, l) { l.bindPopup(popup(f)); }
    });
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 16, animate: false }); }  // zoom first, then cluster
    cluster.addLayer(layer);
    cluster.addTo(map);
    return bounds.isValid() ? bounds : null;
  }).catch(function (err) {
    if (window.console) { console.error("map:", err); }
    el.insertAdjacentHTML("beforeend", "<p class='govuk-body'>The locations could not be loaded.</p>");
    return null;
  });
  if (!el.dataset.tiles && el.dataset.basemap) {
    Promise.all([data, fetch(el.dataset.basemap).then(function (r) { return r.json(); })]).then(function (both) {
      drawBasemap(both[1], both[0]);
    }).catch(function () {});
  }
})();
