#!/usr/bin/env bash
# Brings the docker-compose.yml stack up, checks it from the host as a user would, and takes it down with its volumes:
# health, an authenticated create, the object in the MinIO bucket, a deploy through to its final status (dry run:
# no GitHub token), the metrics endpoint. Prints the image size and how long `up` took to a healthy service.
# Works with `docker compose` (v2) and Debian's docker-compose 1.29. Needs a running Docker engine and the images
# (see .ci/offline-images/ where no registry is reachable).
set -euo pipefail
cd "$(dirname "$0")/.."

compose() { if docker compose version >/dev/null 2>&1; then docker compose "$@"; else docker-compose "$@"; fi; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
json() { node -e "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{const v=JSON.parse(d);console.log(String($1))})"; }
fail() { echo "compose-smoke: FAILED: $*" >&2; compose logs --no-color --tail=60 >&2 || true; exit 1; }

export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-blog-deployer-ci}
PORT=$(free_port); MINIO_PORT=$(free_port); MINIO_CONSOLE_PORT=$(free_port)
export PORT MINIO_PORT MINIO_CONSOLE_PORT
export API_TOKENS=ci-smoke-token S3_BUCKET=blog DEPLOY_DEBOUNCE_MS=500 DEPLOY_MAX_WAIT_MS=5000 LOG_LEVEL=warn
AUTH="Authorization: Bearer $API_TOKENS"
API="http://127.0.0.1:$PORT"
trap 'compose down -v --remove-orphans >/dev/null 2>&1 || true' EXIT

# The legacy builder needs no frontend image (BuildKit would fetch one for some features); both build this file.
LOG=$(mktemp)
DOCKER_BUILDKIT=0 docker build -q -t blog-deployer:local . >"$LOG" 2>&1 || { cat "$LOG" >&2; fail "docker build"; }
echo "compose-smoke: image blog-deployer:local is $(docker image inspect -f '{{.Size}}' blog-deployer:local | awk '{printf "%.0f MB", $1/1e6}')"

t0=$(date +%s.%N)
compose up -d --no-build >"$LOG" 2>&1 || { cat "$LOG" >&2; fail "docker compose up"; }
app=$(compose ps -q app)
for _ in $(seq 1 120); do
  health=$(docker inspect -f '{{.State.Health.Status}}' "$app")
  [ "$health" = healthy ] && break
  [ "$(docker inspect -f '{{.State.Status}}' "$app")" = exited ] && fail "the app container exited"
  sleep 0.5
done
[ "$health" = healthy ] || fail "the app never became healthy"
printf 'compose-smoke: up -> app healthy in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"

curl -fsS "$API/health" >/dev/null || fail "GET /health"
curl -fsS "$API/health/ready" >/dev/null || fail "GET /health/ready"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/authors" -H 'content-type: application/json' -d '{"name":"x"}')" = 401 ] || fail "an unauthenticated create was not refused"
created=$(curl -fsS -X POST "$API/authors" -H "$AUTH" -H 'content-type: application/json' -d '{"id":"compose-smoke","name":"Compose Smoke 안녕 🚀"}') || fail "authenticated create"
[ "$(echo "$created" | json 'v.id')" = compose-smoke ] || fail "create answered $created"

# Read the object with the MinIO client image, as any other S3 tool would see it.
stored=$(compose run --rm --no-deps -T --entrypoint /bin/sh minio-init -c \
  'mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null && mc cat local/blog/authors/compose-smoke.json' \
  2>"$LOG") || { cat "$LOG" >&2; fail "reading authors/compose-smoke.json from the bucket"; }
[ "$(echo "$stored" | json 'v.name')" = "Compose Smoke 안녕 🚀" ] || fail "the bucket holds $stored"

for _ in $(seq 1 60); do
  status=$(curl -fsS "$API/deploys" -H "$AUTH" | json 'v.items[0] ? v.items[0].status : ""')
  case "$status" in dry-run | dispatched | live) break ;; failed | build-failed) fail "the deploy ended $status" ;; esac
  sleep 0.5
done
[ "$status" = dry-run ] || fail "no deploy reached dry-run (last status: ${status:-none})"
metrics=$(curl -fsS "$API/metrics" -H "$AUTH") || fail "GET /metrics"
echo "$metrics" | grep -Eq '^blog_deploys_total\{status="dry-run"\} [1-9]' || fail "GET /metrics does not count the dry-run deploy: $(echo "$metrics" | grep '^blog_deploys' || echo 'no blog_deploys_total')"
echo "compose-smoke: health, authenticated create, object in the bucket, deploy $status, metrics: ok"
compose down -v --remove-orphans >/dev/null 2>&1
trap - EXIT
