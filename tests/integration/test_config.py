"""Settings from four places: flags > ROOMKEY_* environment > --config file (TOML) > defaults."""
import asyncio
import os
import re
import subprocess
from pathlib import Path

import v1
from roomkey_server import BINARY, REPO, RoomkeyServer


def run(*args, env=None, config=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ROOMKEY_")}
    environment.update(env or {})
    command = [BINARY, "serve", *(["--config", str(config)] if config else []), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=10, env=environment)


def effective(*args, env=None, config=None):
    """--print-config as {key: (value text, origin)}; unset keys are absent."""
    out = run("--print-config", *args, env=env, config=config)
    assert out.returncode == 0, out.stderr
    settings = {}
    for line in out.stdout.splitlines():
        match = re.fullmatch(r"([a-z_]+) = (.*?)  # (.*)", line)
        if match:
            settings[match.group(1)] = (match.group(2), match.group(3))
    return settings


def test_a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default(tmp_path):
    config = tmp_path / "roomkey.toml"
    config.write_text('port = 9001\nmax_room_members = 5\nhistory_size = 7\nlog_level = "warn"\n')
    env = {"ROOMKEY_PORT": "9002", "ROOMKEY_MAX_ROOM_MEMBERS": "6"}
    settings = effective("--port", "9003", env=env, config=config)
    assert settings["port"] == ("9003", "flag")
    assert settings["max_room_members"] == ("6", "environment ROOMKEY_MAX_ROOM_MEMBERS")
    assert settings["history_size"][0] == "7" and settings["history_size"][1].startswith(f"config file {config}, line 3")
    assert settings["log_level"][0] == '"warn"'
    assert settings["max_rooms"] == ("1000000", "default")


def test_the_layers_reach_the_running_server(tmp_path):
    """Not only --print-config: the server really runs with the file's and the environment's values."""
    config = tmp_path / "roomkey.toml"
    config.write_text(f'store = "sqlite:{tmp_path / "from-file.db"}"\nmax_room_members = 2\n'
                      'max_creates_per_minute = 0\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROOMKEY_")}
    env["ROOMKEY_MAX_ROOM_MEMBERS"] = "1"  # beats the file's 2
    srv = RoomkeyServer(None, "--config", str(config), env=env).start()
    try:
        async def scenario():
            ana, key = await v1.create(srv.url, "ana")
            ben = await v1.connect(srv.url)
            await ben.send('{"type":"init","person":"ben","join":"%s"}' % key)
            await v1.expect_error_then_close(ben, "Room is full: it has reached the server's member limit.")
            await ana.close()
            return key
        key = asyncio.run(scenario())
    finally:
        assert srv.stop() == 0
    assert (tmp_path / "from-file.db").exists()  # the file's store was the one used
    import sqlite3
    with sqlite3.connect(tmp_path / "from-file.db") as db:
        assert db.execute("SELECT COUNT(*) FROM websock WHERE joinkey = ?", (key,)).fetchone()[0] == 1


def test_lists_and_booleans_from_the_file(tmp_path):
    config = tmp_path / "roomkey.toml"
    config.write_text('trusted_proxies = ["10.0.0.0/8", "127.0.0.1"]\nproxy_protocol = true\nhistory_ttl = 12.5\n')
    settings = effective(config=config)
    assert settings["trusted_proxies"][0] == '["10.0.0.0/8", "127.0.0.1"]'
    assert settings["proxy_protocol"][0] == "true"
    assert settings["history_ttl"][0] == "12.5"
    assert effective(env={"ROOMKEY_PROXY_PROTOCOL": "false"}, config=config)["proxy_protocol"][0] == "false"


def test_print_config_masks_passwords_and_is_itself_a_valid_config_file(tmp_path):
    env = {"ROOMKEY_STORE": "redis://:hunter2@127.0.0.1:6390/2", "ROOMKEY_CLUSTER": "redis://user:pw9@10.1.1.1:7000"}
    out = run("--print-config", "--threads", "3", env=env)
    assert out.returncode == 0, out.stderr
    assert "hunter2" not in out.stdout and "pw9" not in out.stdout
    assert 'store = "redis://:***@127.0.0.1:6390/2"' in out.stdout
    # Fed back as a file (without the masked URLs), it gives the same settings.
    printed = tmp_path / "printed.toml"
    printed.write_text("\n".join(line for line in out.stdout.splitlines() if "***" not in line) + "\n")
    again = effective(config=printed)
    first = effective("--threads", "3", env=env)
    for key, (value, _) in first.items():
        if key not in ("store", "cluster"):
            assert again[key][0] == value, key


def test_errors_name_the_key_the_variable_or_the_file_and_exit_2(tmp_path):
    def refused(expected, *args, env=None, text=None):
        config = None
        if text is not None:
            config = tmp_path / "bad.toml"
            config.write_text(text)
        out = run(*args, env=env, config=config)
        assert out.returncode == 2, (expected, out)
        assert expected in out.stderr, (expected, out.stderr)
        assert "Segmentation" not in out.stderr

    refused("line 2: unknown key 'prot'", text="port = 9000\nprot = 9001\n")
    refused("'port': Could not convert", text='port = "nine"\n')
    refused("line 1, column", text="port = \n")
    refused("unknown section", text="[server]\nport = 1\n")
    refused("'max_rooms': --max-rooms: must not be negative", text="max_rooms = -3\n")
    refused("environment ROOMKEY_MAX_ROOMS", env={"ROOMKEY_MAX_ROOMS": "lots"})
    refused("environment ROOMKEY_LOG_LEVEL", env={"ROOMKEY_LOG_LEVEL": "loud"})
    refused("cannot read it", env={"ROOMKEY_CONFIG": str(tmp_path / "missing.toml")})
    refused("File does not exist", "--config", str(tmp_path / "missing.toml"))
    refused("--tls-cert and --tls-key go together", text=f'tls_cert = "{tmp_path / "bad.toml"}"\n')


def test_an_unknown_roomkey_variable_is_warned_about():
    out = run("--print-config", env={"ROOMKEY_PROT": "9000"})
    assert out.returncode == 0
    assert "ignoring ROOMKEY_PROT: no such setting" in out.stderr


def test_the_readme_table_lists_exactly_the_flags_of_serve():
    """The flags are the one table of settings; the README's must not drift from it."""
    help_text = run("--help").stdout
    flags = set(re.findall(r"^\s+(--[a-z][a-z-]+)", help_text, re.MULTILINE)) - {"--help"}
    assert "--max-room-members" in flags and "--config" in flags
    readme = (REPO / "README.md").read_text()
    table = readme.split("## `roomkey serve` flags", 1)[1].split("\n\n", 2)[1]
    documented = set()
    for row in table.splitlines():
        first_cell = row.split("|")[1] if row.startswith("|") else ""
        documented.update(re.findall(r"`(--[a-z-]+)`", first_cell))
    assert flags - documented == set(), "in --help but not in the README table"
    assert documented - flags == set(), "in the README table but not a flag"
