# syntax=docker/dockerfile:1
# quotewire: build in a full Rust image, run in a slim Debian one as a non-root user.

FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not rebuild them.
# .cargo/config.toml sets the flags of the bundled SQLite, built in this layer.
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY benches benches
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && echo '' > src/lib.rs \
    && cargo build --release --locked || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin quotewire

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/quotewire --create-home quotewire \
    && mkdir -p /var/lib/quotewire/data && chown quotewire /var/lib/quotewire/data
COPY --from=build /src/target/release/quotewire /usr/local/bin/quotewire
USER quotewire
WORKDIR /var/lib/quotewire
ENV QUOTEWIRE_ADDR=0.0.0.0:8080 \
    QUOTEWIRE_DB=/var/lib/quotewire/data/quotewire.db \
    QUOTEWIRE__LOG__FORMAT=json
VOLUME ["/var/lib/quotewire/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["quotewire"]
CMD ["serve"]
