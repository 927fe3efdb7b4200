#!/usr/bin/env bash
# Write the block graph of real central Nanjing (OpenStreetMap extract, ../shared/data) in Wangge's JSON graph format,
# for bench/partition_compare.py. The whole extract (118.760–118.800 E, 32.033–32.055 N) is treated as one
# community; its blocks are built from the OSM roads and households estimated from the buildings. Two graphs:
#   OUT_DIR/nanjing-blocks.json  blocks holding more than a grid's band (> 330 households) split into building cells;
#   OUT_DIR/nanjing-cells.json   every block holding more than half a grid (> 150) split into building cells.
#
# Usage: bench/nanjing_graph.sh WANGGE_BINARY OUT_DIR   (database: WANGGE_DB_NAME, default wangge_partitionbench)
set -euo pipefail
wangge=$(realpath "$1")
out=$(realpath "$2")
mkdir -p "$out"
data=$(realpath "$(dirname "$0")/../../shared/data")
export WANGGE_DB_NAME=${WANGGE_DB_NAME:-wangge_partitionbench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/extract.geojson" <<'JSON'
{"type":"Polygon","coordinates":[[[118.760,32.033],[118.800,32.033],[118.800,32.055],[118.760,32.055],[118.760,32.033]]]}
JSON
code=320199900001
if [ "$("$wangge" db-url >/dev/null && psql "$("$wangge" db-url)" -tAc "SELECT count(*) FROM block WHERE community_code = '$code'")" = 0 ]; then
  "$wangge" import-osm "$data/nanjing-osm/nanjing-center.osm" >&2
  "$wangge" import-boundary "$tmp/extract.geojson" --level district --code 320199 --name "南京中心城区（OSM 提取范围）" >&2
  "$wangge" import-boundary "$tmp/extract.geojson" --level street --code 320199900 --name "提取范围" >&2
  "$wangge" import-boundary "$tmp/extract.geojson" --level community --code "$code" --name "提取范围（一个社区）" >&2
  "$wangge" build-blocks "$code" >&2
fi
for variant in "blocks 330" "cells 150"; do
  set -- $variant
  "$wangge" graph "$code" --split-above "$2" > "$out/nanjing-$1.json"
  python3 -c "import json,sys; g=json.load(open(sys.argv[1])); print(f'{sys.argv[1]}: {len(g[\"nodes\"])} blocks, {sum(n[\"households\"] for n in g[\"nodes\"])} households, {len(g[\"edges\"])} edges', file=sys.stderr)" "$out/nanjing-$1.json"
done
