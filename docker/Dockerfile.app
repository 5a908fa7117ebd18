# One image per MATIH service: docker build -f docker/Dockerfile.app --build-arg APP=registry -t matih/registry .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
# only what runs: the services execute their TypeScript through @swc-node/register (a runtime dependency)
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ARG APP
ENV NODE_ENV=production HOST=0.0.0.0 SWC_NODE_PROJECT=/app/tsconfig.base.json APP=${APP}
WORKDIR /app
COPY --from=deps /app /app
COPY tsconfig.base.json ./
USER node
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node -r @swc-node/register apps/${APP}/src/main.ts"]
