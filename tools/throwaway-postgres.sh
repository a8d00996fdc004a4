# Sourced by ./test: a PostgreSQL cluster of its own in a temporary folder, on
# loopback only, gone when the tests end. Exports NAAS_TEST_PG_URL.
naas_pg_start() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$bin" ]; then
        naas_say "no PostgreSQL server found; PostgreSQL tests will be skipped"
        return 0
    fi
    NAAS_PG_DIR="$(mktemp -d /tmp/naas-pg.XXXXXX)"
    local port as=()
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root: run it as the postgres system user.
        chown postgres "$NAAS_PG_DIR"
        as=(runuser -u postgres --)
    fi
    "${as[@]}" "$bin/initdb" -D "$NAAS_PG_DIR/data" -U naas --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$NAAS_PG_DIR/data" -l "$NAAS_PG_DIR/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $NAAS_PG_DIR -c fsync=on" start >/dev/null
    NAAS_PG_BIN="$bin"
    NAAS_PG_AS=("${as[@]}")
    export NAAS_TEST_PG_URL="postgresql+psycopg://naas@127.0.0.1:$port/postgres"
    naas_say "throwaway PostgreSQL on 127.0.0.1:$port"
}

naas_pg_stop() {
    [ -n "${NAAS_PG_DIR:-}" ] || return 0
    "${NAAS_PG_AS[@]}" "$NAAS_PG_BIN/pg_ctl" -D "$NAAS_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$NAAS_PG_DIR"
}
