#!/usr/bin/env bash
# Make sure the local PostgreSQL and Redis that the tests use are up (127.0.0.1, default ports).
# On this project's machines both are installed from Debian's packages; a stopped one is started,
# a missing one is reported (the tests that need it then fail with a clear message).
set -u
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    echo "services: redis-server not installed (apt-get install redis-server)" >&2
  fi
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "services: PostgreSQL not installed (apt-get install postgresql)" >&2
  fi
fi
for i in $(seq 1 50); do
  (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && exit 0
  sleep 0.1
done
echo "services: redis or postgres not reachable on 127.0.0.1" >&2
exit 0
