"""Certificates and keys made at test time with the openssl command."""
import subprocess


def make_pair(directory, name, key_type="ec", names="IP:127.0.0.1,DNS:localhost"):
    """A self-signed certificate for 127.0.0.1 and localhost (or the
    subjectAltName `names`), and its key; returns (cert path, key path). The
    common name tells pairs apart."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"] if key_type == "ec" else \
        ["-newkey", "rsa:2048"]
    subprocess.run(["openssl", "req", "-x509", *new_key, "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName={names}"],
                   check=True, capture_output=True)
    return cert, key


def bundle(directory, *certs):
    """One file trusting every given certificate (for SSL_CERT_FILE)."""
    path = directory / "trusted.pem"
    path.write_text("".join(c.read_text() for c in certs))
    return path
