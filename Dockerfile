# syntax=docker/dockerfile:1
# Duban 督办: one image for the api and the worker (docker-compose.yml picks the command).

# ---- build: install everything, compile, then drop the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock omits other platforms' optional binaries (see .ci/run).
RUN npm install --no-audit --no-fund
COPY . .
# config/ and apps/web/dist (the web UI's static files, if the build makes them) may not exist:
# create them so that the COPYs below always work.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p config apps/web/dist

# ---- runtime: compiled code, production dependencies, configuration ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# The api binds all interfaces in the container (its default elsewhere is 127.0.0.1).
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
COPY --from=build /app/apps/web/dist ./apps/web/dist
# No state on the container's disk: evidence is in PostgreSQL (or S3), uploads pass through /tmp.
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["node", "--max-old-space-size=160", "dist/apps/api/src/main.js"]
