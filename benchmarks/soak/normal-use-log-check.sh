#!/bin/bash
# Ten minutes of normal use of the embedded default (tasks on the local agent, an alert rule, the API in Chinese,
# every UI asset revalidated by its ETag), then the counts of the log's SEVERE/ERROR/WARN lines. Only loopback.
set -u
: "${JAVA_HOME:?set JAVA_HOME}"
cd "$(dirname "$0")/../.."
rm -rf /tmp/soak-data /tmp/soak-codes.txt; mkdir -p /tmp/soak-data
PORT=18093
SERVER_PORT=$PORT VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS=0,9,5432 VANTAGE_DATA_DIR=/tmp/soak-data VANTAGE_ADMIN_PASSWORD=soak-admin-pass-1 \
  $JAVA_HOME/bin/java -jar reference-server/target/vantage-server.jar > /tmp/soak-server.log 2>&1 &
SPID=$!
echo $SPID > /tmp/soak.pid
B=http://127.0.0.1:$PORT
for i in $(seq 1 60); do curl -sf $B/health >/dev/null && break; sleep 1; done
TOKEN=$(curl -s -H 'Content-Type: application/json' -d '{"username":"admin","password":"soak-admin-pass-1"}' $B/api/v1/auth/login | python3 -c 'import sys,json;print(json.load(sys.stdin)["accessToken"])')
H="Authorization: Bearer $TOKEN"
post() { curl -s -o /dev/null -w "%{http_code} $1\n" -H "$H" -H 'Content-Type: application/json' -d "$2" $B$1; }
post /api/v1/tasks '{"id":"pg","name":"PostgreSQL","type":"tcp","target":"127.0.0.1:5432","interval":"5s"}'
# the server's own port stays refused to the local agent whatever the list says: an http task on a closed port
post /api/v1/tasks '{"id":"web","name":"Web","type":"http","target":"http://127.0.0.1:9/","interval":"5s"}'
post /api/v1/tasks '{"id":"ping","name":"Ping","type":"icmp","target":"127.0.0.1","interval":"10s"}'
post /api/v1/tasks '{"id":"closed","name":"Closed","type":"tcp","target":"127.0.0.1:9","interval":"5s"}'
post /api/v1/tasks '{"id":"trace","name":"Trace","type":"traceroute","target":"127.0.0.1","interval":"30s","params":{"mode":"udp"}}'
post /api/v1/alert-rules '{"name":"closed down","tasks":{"task":"closed"},"condition":{"type":"consecutiveFailures","count":2}}'
END=$(( $(date +%s) + 600 ))
n=0
while [ $(date +%s) -lt $END ] && [ $n -lt 2000 ]; do
  n=$((n+1))
  for p in /api/v1/tasks /api/v1/agents /api/v1/incidents /api/v1/plugins "/api/v1/tasks/pg/results?limit=20" \
           "/api/v1/tasks/pg/aggregates?bucket=1m" /api/v1/alert-rules /api/v1/channels /api/v1/silences /api/v1/users; do
    curl -s -o /dev/null -w "%{http_code} $p\n" -H "$H" -H 'Accept-Language: zh-CN' $B$p >> /tmp/soak-codes.txt
  done
  # the UI and its assets, again with their ETags (304s)
  idx=$(curl -s $B/)
  for a in $(echo "$idx" | grep -o '/assets/[^"]*' | sort -u); do
    et=$(curl -s -D - -o /dev/null $B$a | grep -i '^etag' | cut -d' ' -f2 | tr -d '\r')
    curl -s -o /dev/null -H "If-None-Match: $et" $B$a
  done
  et=$(curl -s -D - -o /dev/null $B/ | grep -i '^etag' | cut -d' ' -f2 | tr -d '\r')
  curl -s -o /dev/null -H "If-None-Match: $et" $B/
  curl -s -o /dev/null $B/tasks/pg   # a deep link
  sleep 5
done
echo "rounds: $n; API answers other than 200: $(grep -vc '^200 ' /tmp/soak-codes.txt) of $(wc -l < /tmp/soak-codes.txt)"
grep -v '^200 ' /tmp/soak-codes.txt | sort | uniq -c | head
curl -s -H "$H" "$B/api/v1/tasks/pg/results?limit=1" | head -c 300; echo
kill $SPID; wait $SPID 2>/dev/null
echo "SEVERE: $(grep -c SEVERE /tmp/soak-server.log)  ERROR: $(grep -c ERROR /tmp/soak-server.log)  WARN: $(grep -c -E 'WARN|WARNING' /tmp/soak-server.log)  lines: $(wc -l < /tmp/soak-server.log)"
grep -E "SEVERE|ERROR|WARN" /tmp/soak-server.log | cut -c1-250 | sort | uniq -c | sort -rn | head -20
