// Dataset map: the dataset's GeoJSON with clustered markers and the ward
// boundaries on top of optional tiles. Only enhances: the page works without it.
(function () {
  "use strict";
  var el = document.getElementById("ob-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { preferCanvas: true, maxZoom: 19 }).setView([51.55, -0.16], 12);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var bounds = null;
  function extend(layer) {
    var b = layer.getBounds && layer.getBounds();
    if (b && b.isValid()) { bounds = bounds ? bounds.extend(b) : b; map.fitBounds(bounds, { maxZoom: 16, animate: false }); }
  }
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value === null || value === undefined ? "" : (typeof value === "object" ? JSON.stringify(value) : String(value));
    return span.innerHTML;
  }
  function popup(feature) {
    var props = feature.properties || {};
    var rows = Object.keys(props).slice(0, 12).map(function (k) { return "<tr><th>" + text(k) + "</th><td>" + text(props[k]) + "</td></tr>"; });
    return "<table>" + rows.join("") + "</table>";
  }
  fetch(el.dataset.wards).then(function (r) { return r.json(); }).then(function (geo) {
    L.geoJSON(geo, { style: { color: "#505a5f", weight: 1, fill: false }, interactive: false }).addTo(map);
  }).catch(function () {});
  fetch(el.dataset.geojson).then(function (r) { return r.json(); }).then(function (geo) {
    var cluster = L.markerClusterGroup({ animate: false, animateAddingMarkers: false });
    var layer = L.geoJSON(geo, {
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6, color: "#1d70b8", weight: 2, fillOpacity: 0.6 }); },
      onEachFeature: function (f, l) { l.bindPopup(popup(f)); }
    });
    extend(layer);  // zoom first, then cluster at the final zoom: no overlapping markers
    cluster.addLayer(layer);
    cluster.addTo(map);
  }).catch(function (err) {
    if (window.console) { console.error("map:", err); }
    el.insertAdjacentHTML("beforeend", "<p class='govuk-body'>The locations could not be loaded.</p>");
  });
})();
