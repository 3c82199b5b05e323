# One image for every app process (saga worker, outbox relay, consumers, API, migrations); docker-compose.yml
# picks the process per service. No build step: the processes run TypeScript through tsx.
# The Node release in .node-version (Node 24 LTS), which scripts/with-node.sh runs everything on outside Docker.
FROM node:24.22.3-bookworm-slim

WORKDIR /app

# Dependencies first, so a source-only change reuses this layer.
COPY package.json package-lock.json ./
# --ignore-scripts: package.json's allowScripts denies every dependency install script there is
# (esbuild, protobufjs, @swc/core), and the npm 11.19 that ships with Node 24.22 honours those
# denials, but it still runs the scripts of a dependency the list does not name yet (with a
# warning); the image runs none. --omit=dev: tests, drizzle-kit and tsc are not needed to run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

COPY . .

# Its home's .local holds the generated admin token; made here, owned by node, so a volume
# mounted there (docker-compose.yml: api-local) starts with that owner.
RUN mkdir -p /home/node/.local && chown node:node /home/node/.local

# The image's unprivileged user; the app only reads /app (tsx caches under /tmp).
USER node

CMD ["node_modules/.bin/tsx", "workers/run-saga-worker.ts"]
