# syntax=docker/dockerfile:1
# prodinsight: `serve` (dashboard, API, /metrics) on a volume-backed database.
#   docker build -t prodinsight .
#   docker run -d -p 8080:8080 -v pi-data:/data -e PRODINSIGHT_API_TOKEN=… prodinsight
# .ci/container runs this file's build and runtime commands outside Docker (see the README).

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock schema.sql ./
COPY src src
# The registry and target caches survive between builds (BuildKit); the binary leaves the cache.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked && cp target/release/prodinsight /usr/local/bin/prodinsight

FROM debian:bookworm-slim
# A system user without a shell owns the data; nothing runs as root.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin prodinsight \
    && mkdir -p /data && chown prodinsight:prodinsight /data
COPY --from=build /usr/local/bin/prodinsight /usr/local/bin/prodinsight
USER prodinsight
WORKDIR /data
VOLUME ["/data"]
ENV PRODINSIGHT_DB=/data/prodinsight.db \
    PRODINSIGHT_ADDR=0.0.0.0:8080 \
    PRODINSIGHT_ALLOW_REMOTE=1 \
    PRODINSIGHT_LOG_FORMAT=json
EXPOSE 8080
# Beyond loopback `serve` requires a token: PRODINSIGHT_API_TOKEN or PRODINSIGHT_TOKEN_FILE
# (e.g. a secret at /run/secrets/prodinsight_token). /healthz needs none.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["prodinsight", "healthcheck", "--timeout", "3"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["prodinsight"]
CMD ["serve"]
