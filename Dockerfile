# One image for both processes: `bun run start` (api, the default) and `bun run worker`.
FROM oven/bun:1.4.5-slim

WORKDIR /app
ENV NODE_ENV=production

COPY package.json bun.lock ./
COPY patches ./patches
RUN bun install --frozen-lockfile --production

COPY drizzle ./drizzle
COPY src ./src
COPY jobs ./jobs

USER bun
EXPOSE 3000
CMD ["bun", "run", "start"]
