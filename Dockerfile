# Multi-stage build. No `# syntax=` line: that makes BuildKit fetch a frontend image, which fails offline; the file
# builds with BuildKit and with the legacy builder (DOCKER_BUILDKIT=0) alike.
# No install scripts run in any stage: nothing this service uses needs one, and some packages' scripts phone home.
ARG NODE_IMAGE=node:22-bookworm-slim

# Compiles src/ to dist/ with the dev dependencies (the TypeScript compiler, the Nest CLI).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# dist/dev is `npm run dev`'s runner (embedded Redis and S3): never part of a deployment.
RUN npm run build && rm -rf dist/dev

# Production dependencies only, installed clean rather than pruned from the build stage.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# typescript comes along as an optional peer of valibot (under @bull-board/api); nothing loads it at runtime.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# The heap limits bound how far V8 lets the heap grow under bursts (measured under a 32-client burst: peak RSS
# 178 MB with both, 200 MB with the old-space limit alone, 331 MB with neither; throughput unchanged). The live
# heap is ~40 MB plus ~5 MB per 1,000 posts of 4 KB, so 256 MB holds ~40,000 such posts. Raise it for a bigger
# blog: docker run -e NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=8" (docs/performance.md).
ENV NODE_ENV=production \
    PORT=3000 \
    NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8"
WORKDIR /app
COPY package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's own unprivileged user (uid 1000); the app writes nothing to disk.
USER node
EXPOSE 3000
# Liveness through node itself: the slim image has no curl.
HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
