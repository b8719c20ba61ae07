#!/usr/bin/python3
"""A hostile RDP listener for rdpdoctor's tests: it answers the X.224
Connection Request by selecting TLS, then completes a real TLS handshake
(OpenSSL, through Python's ssl module) presenting a certificate chain of
CHAIN certificates, each signing the next, so the client must read and audit
a chain far longer than any real server sends.

    hostile_tls.py CHAIN      prints the port it listens on (127.0.0.1 only),
                              then serves until killed

Debian's python3-cryptography makes the chain (P-256 keys, fast)."""
import datetime
import os
import socket
import ssl
import sys
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# TPKT + X.224 Connection Confirm + RDP_NEG_RSP selecting PROTOCOL_SSL.
CONFIRM_TLS = bytes([0x03, 0x00, 0x00, 0x13, 0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,
                     0x02, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00])


def chain(count):
    """count certificates: the leaf (CN=localhost) first, each issued by the next."""
    now = datetime.datetime.now(datetime.timezone.utc)
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(count)]
    names = [x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost" if i == 0 else f"hostile CA {i}")])
             for i in range(count)]
    certs = []
    for i in range(count):
        issuer = min(i + 1, count - 1)
        builder = (x509.CertificateBuilder().subject_name(names[i]).issuer_name(names[issuer])
                   .public_key(keys[i].public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=i > 0, path_length=None), critical=True))
        if i == 0:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        certs.append(builder.sign(keys[issuer], hashes.SHA256()))
    return keys[0], certs


def read_request(conn):
    head = b""
    while len(head) < 4:
        part = conn.recv(4 - len(head))
        if not part:
            return False
        head += part
    length = int.from_bytes(head[2:4], "big")
    rest = length - 4
    while rest > 0:
        part = conn.recv(min(rest, 4096))
        if not part:
            return False
        rest -= len(part)
    return True


def serve(conn, context):
    try:
        conn.settimeout(30)
        if not read_request(conn):
            return
        conn.sendall(CONFIRM_TLS)
        with context.wrap_socket(conn, server_side=True) as tls:
            while tls.recv(4096):
                pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main():
    key, certs = chain(int(sys.argv[1]))
    directory = tempfile.mkdtemp(prefix="rdpdoctor-hostile-tls-")
    chain_file, key_file = os.path.join(directory, "chain.pem"), os.path.join(directory, "key.pem")
    with open(chain_file, "wb") as out:
        for cert in certs:
            out.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain_file, key_file)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, context), daemon=True).start()


if __name__ == "__main__":
    main()
