#!/usr/bin/env bash
# The cost on one machine of naming the community's district in statements that filter by community (what lets
# Citus route them to one shard, docs/SCALE.md): each statement timed with pgbench in its form before (the community
# alone) and after (the community and `district_code = left(community, 6)`), alternated, prepared as the server runs
# them. Connection from the usual PG* variables; the community is the one with the most blocks unless given.
#   PGHOST=127.0.0.1 PGPORT=… PGUSER=postgres PGPASSWORD=… PGDATABASE=wangge bench/routed_statements.sh [community] [seconds] [rounds]
set -euo pipefail
pgbench=/usr/lib/postgresql/15/bin/pgbench
community="${1:-$(psql -Atqc "SELECT community_code FROM block GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")}"
seconds="${2:-5}"
rounds="${3:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# name|statement with {D} where the district filter goes ("AND district_code = left(c, 6)" after, nothing before)
statements=(
  "blocks|SELECT id, households FROM block WHERE community_code = :c::text {D} AND NOT retired ORDER BY id"
  "adjacency|SELECT a, b, shared_m FROM block_adjacency WHERE a IN (SELECT id FROM block WHERE community_code = :c::text {D} AND NOT retired) {DA}"
  "versions|SELECT id, version, status FROM plan WHERE community_code = :c::text {D} ORDER BY version DESC"
)
echo "community $community, $seconds s per statement and form, $rounds rounds"
printf '%-10s %-7s %5s %12s %8s\n' statement form round "latency ms" tps
for round in $(seq 1 "$rounds"); do
  for entry in "${statements[@]}"; do
    name="${entry%%|*}"
    sql="${entry#*|}"
    for form in before after; do
      if [ "$form" = after ]; then
        d="AND district_code = left(:c::text, 6)"
      else
        d=""
      fi
      file="$work/$name-$form.sql"
      printf '\\set c %s\n%s;\n' "$community" "$(echo "$sql" | sed "s/{D}/$d/; s/{DA}/$d/")" > "$file"
      out="$("$pgbench" -n -M prepared -T "$seconds" -f "$file" 2>&1)"
      latency="$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')"
      tps="$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')"
      printf '%-10s %-7s %5s %12s %8.0f\n' "$name" "$form" "$round" "$latency" "$tps"
    done
  done
done
