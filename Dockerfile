# strangler: the proxy only (the demo apps are not in the image).
#   docker build -t strangler .
#   docker run -p 8080:8080 -v "$PWD/routes.yaml:/etc/strangler/routes.yaml:ro" strangler
# The routes file is mounted, not baked in: edit it on the host, the container follows.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Scripts off (no build before src is here), but the node_modules patches (postinstall) applied.
RUN npm ci --ignore-scripts && npx patch-package --error-on-fail --error-on-warn
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json
RUN npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    STRANGLER_CONFIG=/etc/strangler/routes.yaml \
    ADMIN_PORT=9901
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/src ./dist/src
# Runs as the image's unprivileged `node` user; the code is root-owned and read-only to it.
USER node
EXPOSE 8080
# The admin API listens on 127.0.0.1 inside the container: the health check runs there too.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.ADMIN_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/main.js"]
