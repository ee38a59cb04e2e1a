# actorgraph API image: a multi-stage build, with a small Debian runtime image and
# a non-root user. Build: docker build -t actorgraph .

# --- build: the release binary --------------------------------------------------
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so that code changes do not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && echo '' > src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src ./src
RUN touch src/main.rs src/lib.rs && cargo build --release --locked

# --- web: GraphiQL's assets from the npm registry ---------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- runtime ------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app actorgraph
WORKDIR /app
COPY --from=build /src/target/release/actorgraph /usr/local/bin/actorgraph
COPY --from=web /web/node_modules ./web/node_modules
COPY seed ./seed
RUN mkdir /data && chown actorgraph /data
USER actorgraph
# Without NEO4J_URI the embedded store keeps its data in /data: mount a volume there.
VOLUME /data
ENV ACTORGRAPH_BIND=0.0.0.0:8080 \
    ACTORGRAPH_SEED=/app/seed \
    ACTORGRAPH_DATA_DIR=/data \
    ACTORGRAPH_WEB_DIR=/app/web/node_modules \
    ACTORGRAPH_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["actorgraph"]
CMD ["serve"]
