# strangler: the proxy only (the demo apps are not in the image). Node 24 LTS.
#   docker build -t strangler .
#   docker run -p 8080:8080 -v "$PWD/config:/etc/strangler:ro" strangler
# The routes file is mounted as a DIRECTORY (config/routes.yaml on the host), never as a single
# file: an editor that saves by rename replaces the file's inode, which a single-file bind mount
# never sees; a directory mount does, and the proxy reloads within a second.
# test/docker-image-builds-and-serves.test.ts runs these steps without Docker: keep them in step.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Scripts off (no build before src is here), but the node_modules patches (postinstall) applied.
RUN npm ci --ignore-scripts && npx patch-package --error-on-fail --error-on-warn
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json
# Production dependencies only; the patched undici stays as patched (prune runs no scripts).
RUN npm prune --omit=dev

FROM node:24-bookworm-slim
# No PORT / ADMIN_PORT / ADMIN_HOST here: an environment variable beats routes.yaml, so a baked
# one would silently override the mounted file. Set them at `docker run` if you want them.
ENV NODE_ENV=production \
    STRANGLER_CONFIG=/etc/strangler/routes.yaml
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY deploy/docker/healthcheck.mjs ./
# Runs as the image's unprivileged `node` user (uid 1000); the code is root-owned and read-only to it.
USER node
EXPOSE 8080 9901
# GET /healthz on the admin port in use: ADMIN_PORT if set, else server.adminPort of the mounted
# routes.yaml, else 9901 (the admin API listens on 127.0.0.1 in the container unless ADMIN_HOST says otherwise).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["node", "healthcheck.mjs"]
ENTRYPOINT ["node", "dist/src/main.js"]
