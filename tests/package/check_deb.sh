#!/usr/bin/env bash
# The .deb as an operator gets it: built by CPack from an existing build
# folder (default build/), installed with dpkg, its files and unit checked,
# then /usr/bin/roomkey started with the packaged config (no systemd needed),
# a room created and joined by two real clients, SIGTERM (exit 0), and the
# package purged. Needs root; refuses to run where roomkey is installed or
# its state directory exists, and leaves neither behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${1:-build}

fail() { echo "check_deb: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i)"
[ -f "$build_dir/CPackConfig.cmake" ] || fail "$build_dir is not a configured build folder (run tools/build)"
if dpkg-query -W -f='${Status}' roomkey 2>/dev/null | grep -q installed; then
  fail "roomkey is installed on this machine; this check installs and purges it"
fi
for dir in /var/lib/roomkey /var/lib/private/roomkey /etc/roomkey; do
  [ ! -e "$dir" ] || fail "$dir exists; purging the package would remove it"
done
# dpkg-shlibdeps (dpkg-dev) and file: CPack's dependency computation.
tools/install-packages dpkg-dev file python3 python3-websockets

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid"; fi
  if dpkg-query -W -f='${Status}' roomkey 2>/dev/null | grep -q installed; then dpkg --purge roomkey >/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== cpack"
rm -f "$build_dir"/roomkey_*.deb
(cd "$build_dir" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$build_dir"/roomkey_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no roomkey_*.deb"
deb=${debs[0]}
echo "$deb"

echo "== package fields and contents"
[ "$(dpkg-deb -f "$deb" Package)" = roomkey ] || fail "Package is not roomkey"
[ "$(dpkg-deb -f "$deb" Section)" = net ] || fail "Section is not net"
version=$(sed -n 's/^project(roomkey VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version is not the project's ($version)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libssl3 libsqlite3-0 libsystemd0; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib (dpkg-shlibdeps did not run?)"
done
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents"
cat "$work/contents"
if grep -Eq 'unit_tests|fuzz|tests/|bench/' "$work/contents"; then fail "the package holds tests, fuzzers or bench scripts"; fi

echo "== dpkg -i"
if ! dpkg -i "$deb"; then
  DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq --no-install-recommends
fi
dpkg-query -W -f='${Status}\n' roomkey | grep -q "install ok installed" || fail "roomkey did not install"
unit=/usr/lib/systemd/system/roomkey.service
config=/etc/roomkey/roomkey.toml
[ -x /usr/bin/roomkey ] || fail "no /usr/bin/roomkey"
[ -f "$unit" ] || fail "no $unit"
[ -f "$config" ] || fail "no $config"
dpkg-query -W -f='${Conffiles}\n' roomkey | grep -q "^ $config " || fail "$config is not a conffile"
grep -qx 'Type=notify' "$unit" || fail "the unit is not Type=notify"
grep -qx "ExecStart=/usr/bin/roomkey serve --config $config" "$unit" || fail "unexpected ExecStart"
grep -qx 'StateDirectory=roomkey' "$unit" || fail "no StateDirectory=roomkey"
grep -qx 'store = "sqlite:/var/lib/roomkey/roomkey.db"' "$config" || fail "the config's store is not in the state directory"
/usr/bin/roomkey --version | grep -qx "roomkey $version" || fail "/usr/bin/roomkey --version is not $version"
if command -v systemd-analyze >/dev/null; then
  echo "== systemd-analyze verify"
  # It exits 0 on unknown keys and bad values (only warns): any output fails.
  verify=$(systemd-analyze verify "$unit" 2>&1) || true
  [ -z "$verify" ] || fail "systemd-analyze verify: $verify"
fi

echo "== /usr/bin/roomkey serve --config $config"
port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$config")
[ -n "$port" ] || fail "no port in $config"
# What StateDirectory=roomkey gives the service under systemd.
install -d -m 700 /var/lib/roomkey
/usr/bin/roomkey serve --config "$config" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/serve.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; fail "roomkey exited at start"; }
  sleep 0.1
done
grep -q "listening on ws://0.0.0.0:$port" "$work/serve.log" || { cat "$work/serve.log"; fail "roomkey is not listening on $port"; }

/usr/bin/python3 - "$port" <<'PYTHON'
import asyncio, json, sys
import websockets

async def main(url):
    async with websockets.connect(url, open_timeout=5) as ana:
        await ana.send(json.dumps({"type": "init", "person": "ana"}))
        reply = json.loads(await asyncio.wait_for(ana.recv(), 5))
        assert reply["type"] == "init" and len(reply["join"]) >= 22, reply
        async with websockets.connect(url, open_timeout=5) as ben:
            await ben.send(json.dumps({"type": "init", "person": "ben", "join": reply["join"]}))
            notice = json.loads(await asyncio.wait_for(ana.recv(), 5))
            assert notice == {"type": "connection_message", "message": "ben Joined!"}, notice
    print("created and joined room", reply["join"][:6] + "...")

asyncio.run(main(f"ws://127.0.0.1:{sys.argv[1]}"))
PYTHON

kill -TERM "$server_pid"
code=0
wait "$server_pid" || code=$?
server_pid=
[ "$code" -eq 0 ] || { cat "$work/serve.log"; fail "roomkey exited $code after SIGTERM"; }
[ -s /var/lib/roomkey/roomkey.db ] || fail "no rooms in /var/lib/roomkey/roomkey.db"

echo "== dpkg --purge"
dpkg --purge roomkey
for path in /usr/bin/roomkey "$unit" /etc/roomkey /var/lib/roomkey; do
  [ ! -e "$path" ] || fail "$path is still there after the purge"
done
echo "check_deb: ok"
