"""TLS: a private CA in the state dir, one certificate per cluster (spec: Command line)."""

import ipaddress
import os
import socket
import ssl

import pytest
import requests
from cryptography import x509

from element_sim.tls import ensure_ca


def get_api(url, verify):
    session = requests.Session()
    session.trust_env = False  # no REQUESTS_CA_BUNDLE from the environment
    try:
        return session.post(url + "/json-rpc/12.5", json={"method": "GetAPI"}, verify=verify,
                            timeout=10)
    finally:
        session.close()


def test_ready_file_ca_verifies_every_cluster(shared_sim):
    for cluster in shared_sim.clusters:
        assert os.path.isabs(cluster.ca_cert)
        assert get_api(cluster.url, cluster.ca_cert).status_code == 401  # TLS itself worked
        localhost_url = f"https://localhost:{cluster.port}"
        assert get_api(localhost_url, cluster.ca_cert).status_code == 401


def test_unknown_ca_and_system_store_fail(shared_sim, tmp_path):
    other_ca, _ = ensure_ca(str(tmp_path))
    cluster = shared_sim.clusters[0]
    with pytest.raises(requests.exceptions.SSLError):
        get_api(cluster.url, other_ca)
    with pytest.raises(requests.exceptions.SSLError):
        get_api(cluster.url, True)


def test_certificates_cover_loopback_names(shared_sim):
    for cluster in shared_sim.clusters:
        pem = ssl.get_server_certificate((cluster.host, cluster.port))
        cert = x509.load_pem_x509_certificate(pem.encode())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert set(san.get_values_for_type(x509.IPAddress)) >= {
            ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
        assert "localhost" in san.get_values_for_type(x509.DNSName)


def test_strict_verification_accepts_the_chain(shared_sim):
    """Python 3.13 verifies with VERIFY_X509_STRICT; set it everywhere to check the certs."""
    cluster = shared_sim.clusters[0]
    context = ssl.create_default_context(cafile=cluster.ca_cert)
    context.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
    with socket.create_connection((cluster.host, cluster.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=cluster.host) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_no_tls_serves_plain_http(make_sim):
    sim = make_sim(tls=False, volumes=0)
    cluster = sim.clusters[0]
    assert cluster.url.startswith("http://") and cluster.ca_cert is None
    assert cluster.call("GetAPI")["currentVersion"] == "12.5"
    assert not os.path.exists(os.path.join(sim.state_dir, "ca.pem"))
    with pytest.raises(requests.exceptions.SSLError):
        get_api(f"https://{cluster.mvip}", False)
