#!/bin/sh
# Makes sure the real Redis and PostgreSQL servers used by the app tests (test/app/) are installed.
# The tests start their own throw-away instances on loopback; this script only installs the binaries.
#   - both present: exit 0, silently
#   - missing and running as root: apt-get install them (Debian packages redis-server, postgresql)
#   - missing otherwise: print exactly what to install and exit 1
set -eu

PACKAGES="redis-server postgresql"

have_redis() {
    command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]
}

have_postgres() {
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
            return 0
        fi
    done
    return 1
}

if have_redis && have_postgres; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-test-servers: installing $PACKAGES (Debian packages) for the app tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    if ! apt-get update -qq >"$log" 2>&1; then
        cat "$log" >&2
        echo "ensure-test-servers: apt-get update failed" >&2
        exit 1
    fi
    # policy-rc.d keeps the package scripts from starting system-wide services: the tests run their own.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d "$log"' EXIT
    fi
    if ! apt-get install -y -qq --no-install-recommends $PACKAGES >"$log" 2>&1; then
        cat "$log" >&2
        echo "ensure-test-servers: apt-get install $PACKAGES failed" >&2
        exit 1
    fi
    if have_redis && have_postgres; then
        exit 0
    fi
    echo "ensure-test-servers: apt-get finished but redis-server or /usr/lib/postgresql/*/bin/postgres is still missing" >&2
    exit 1
fi

echo "ensure-test-servers: the app tests need real Redis and PostgreSQL servers." >&2
echo "Install the Debian packages: sudo apt-get update && sudo apt-get install -y --no-install-recommends $PACKAGES" >&2
exit 1
