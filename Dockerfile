# One multi-stage image for the four apps; pick the app with the command (see docker-compose.yml).
# Untested here: no container engine runs on the development machines.
FROM node:22-bookworm-slim AS build
WORKDIR /repo
ENV NX_NO_CLOUD=true NX_DAEMON=false NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY nx.json tsconfig.base.json tsconfig.json vitest.shared.mjs eslint.config.mjs ./
RUN npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p @apim/management-api @apim/gateway @apim/worker @apim/portal

FROM node:22-bookworm-slim AS runtime
WORKDIR /repo
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /repo /repo
USER node
EXPOSE 3000 3001 3002 8080
CMD ["node", "apps/gateway/dist/src/main.js"]
