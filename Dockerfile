# One image for every app process (saga worker, outbox relay, consumers, API, migrations); docker-compose.yml
# picks the process per service. No build step: the processes run TypeScript through tsx.
# 20.20.2 is the final Node 20 release (Node 20 is end-of-life; this tag gets no more updates).
FROM node:20.20.2-bookworm-slim

WORKDIR /app

# Dependencies first, so a source-only change reuses this layer.
COPY package.json package-lock.json ./
# --ignore-scripts: package.json's allowScripts denies every dependency install script there is
# (esbuild, protobufjs, @swc/core), but the npm 10 that ships with Node 20 does not read that
# field. --omit=dev: tests, drizzle-kit and tsc are not needed to run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

COPY . .

# The image's unprivileged user; the app only reads /app (tsx caches under /tmp).
USER node

CMD ["node_modules/.bin/tsx", "workers/run-saga-worker.ts"]
