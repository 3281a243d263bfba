"""The default config the package installs (packaging/roomkey.toml) is one
the real binary accepts, and each example it leaves commented out names a
real setting, so uncommenting one never stops the service."""
import re
import subprocess

from roomkey_server import BINARY, REPO

CONFIG = REPO / "packaging" / "roomkey.toml"
EXAMPLE = re.compile(r"^#([a-z_]+) = ")


def test_the_packaged_config_is_accepted_as_is():
    out = subprocess.run([BINARY, "serve", "--config", str(CONFIG), "--print-config"],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr
    settings = dict(re.findall(r"^([a-z_]+) = (.*?)\s+#", out.stdout, re.M))
    assert settings["store"] == '"sqlite:/var/lib/roomkey/roomkey.db"'
    assert settings["port"] == "8001"
    assert settings["host"] == '"0.0.0.0"'


def test_each_commented_example_names_a_setting():
    help_text = subprocess.run([BINARY, "serve", "--help"], capture_output=True, text=True, timeout=10).stdout
    examples = [m.group(1) for line in CONFIG.read_text().splitlines() if (m := EXAMPLE.match(line))]
    assert {"tls_cert", "tls_key", "auth_key", "cluster"} <= set(examples)
    for key in examples:
        assert "--" + key.replace("_", "-") in help_text, key
