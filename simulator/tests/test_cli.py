"""The command line contract: serve, ready and inventory files, stop, status."""

import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from element_sim.harness import SimCluster
from helpers import wait_for

READY_KEYS = {"name", "mvip", "host", "port", "url", "username", "password", "ca_cert",
              "unique_id", "uuid"}


def cli(*args, timeout=30):
    return subprocess.run([sys.executable, "-m", "element_sim", *args], capture_output=True,
                          text=True, timeout=timeout)


def start_serve(state_dir, *extra):
    ready = os.path.join(state_dir, "ready.json")
    process = subprocess.Popen(
        [sys.executable, "-m", "element_sim.cli", "serve", "--state-dir", state_dir,
         "--ready-file", ready, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not os.path.exists(ready):
        assert process.poll() is None, process.stdout.read().decode()
        assert time.monotonic() < deadline, "not ready in time"
        time.sleep(0.05)
    with open(ready, encoding="utf-8") as f:
        return process, json.load(f)


def stop_process(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    process.stdout.close()


def test_ready_and_inventory_files(tmp_path):
    state_dir = str(tmp_path / "state")
    inventory = str(tmp_path / "inventory.yml")
    process, ready = start_serve(state_dir, "--clusters", "2", "--names", "east,west",
                                 "--inventory-file", inventory)
    try:
        clusters = ready["clusters"]
        assert [c["name"] for c in clusters] == ["east", "west"]
        for c in clusters:
            assert set(c) == READY_KEYS
            assert c["mvip"] == f"127.0.0.1:{c['port']}" and c["host"] == "127.0.0.1"
            assert c["url"] == f"https://127.0.0.1:{c['port']}"
            assert c["ca_cert"] == os.path.join(state_dir, "ca.pem")
            assert c["username"] == "admin" and len(c["password"]) >= 16
            assert SimCluster(c).call("GetClusterInfo")["clusterInfo"]["uniqueID"] \
                == c["unique_id"]
        for path in (inventory, os.path.join(state_dir, "ready.json")):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # they hold passwords
        with open(inventory, encoding="utf-8") as f:
            text = f.read()
        try:
            import yaml
        except ImportError:
            for c in clusters:
                assert f"element_password: \"{c['password']}\"" in text
        else:
            doc = yaml.safe_load(text)
            hosts = doc["all"]["hosts"]
            assert set(hosts) == {"east", "west"}
            assert set(doc["all"]["children"]["element_clusters"]["hosts"]) == {"east", "west"}
            for c in clusters:
                assert hosts[c["name"]] == {
                    "element_hostname": "127.0.0.1", "element_port": c["port"],
                    "element_username": "admin", "element_password": c["password"],
                    "element_validate_certs": True, "element_ca_path": c["ca_cert"]}
        with open(os.path.join(state_dir, "server.pid"), encoding="ascii") as f:
            assert int(f.read()) == process.pid
        assert json.loads(cli("status", "--state-dir", state_dir).stdout)["running"] is True
    finally:
        stop_process(process)


def test_no_tls_inventory(tmp_path):
    state_dir = str(tmp_path / "state")
    inventory = str(tmp_path / "inv.yml")
    process, ready = start_serve(state_dir, "--clusters", "1", "--no-tls",
                                 "--inventory-file", inventory)
    try:
        (c,) = ready["clusters"]
        assert c["url"].startswith("http://") and c["ca_cert"] is None
        with open(inventory, encoding="utf-8") as f:
            text = f.read()
        assert "element_validate_certs: false" in text and "element_ca_path" not in text
    finally:
        stop_process(process)


def test_stop_command(tmp_path):
    state_dir = str(tmp_path / "state")
    process, _ = start_serve(state_dir, "--clusters", "1")
    try:
        result = cli("stop", "--state-dir", state_dir)
        assert result.returncode == 0, result.stdout + result.stderr
        assert process.wait(10) == 0
        assert not os.path.exists(os.path.join(state_dir, "server.pid"))
        assert cli("status", "--state-dir", state_dir).returncode == 3
        assert cli("stop", "--state-dir", state_dir).returncode == 0  # nothing to stop
    finally:
        stop_process(process)


def test_sigint_shuts_down_cleanly(tmp_path):
    state_dir = str(tmp_path / "state")
    process, _ = start_serve(state_dir, "--clusters", "1")
    process.send_signal(signal.SIGINT)
    assert process.wait(20) == 0
    output = process.stdout.read().decode()
    process.stdout.close()
    assert "Traceback" not in output
    assert not os.path.exists(os.path.join(state_dir, "server.pid"))


def test_second_server_on_the_same_state_dir_is_refused(tmp_path):
    state_dir = str(tmp_path / "state")
    process, _ = start_serve(state_dir, "--clusters", "1")
    try:
        result = cli("serve", "--clusters", "1", "--state-dir", state_dir)
        assert result.returncode != 0 and "already running" in result.stderr
    finally:
        stop_process(process)


def test_bad_arguments(tmp_path):
    assert cli("serve", "--state-dir", str(tmp_path)).returncode != 0  # no --clusters
    result = cli("serve", "--clusters", "3", "--names", "a,b", "--state-dir", str(tmp_path))
    assert result.returncode != 0
    assert cli("serve", "--names", "a,a", "--state-dir", str(tmp_path)).returncode != 0


@pytest.mark.skipif(not os.path.exists(os.path.join(os.path.dirname(sys.executable),
                                                    "element-sim")),
                    reason="console script not installed next to this interpreter")
def test_console_script():
    script = os.path.join(os.path.dirname(sys.executable), "element-sim")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "serve" in result.stdout


def test_harness_servers_do_not_outlive_their_parent(tmp_path):
    """A test process that dies without stopping its simulator leaves no orphan behind."""
    script = ("import sys; from element_sim.harness import SimulatorProcess; "
              "print(SimulatorProcess(sys.argv[1], clusters=1).start().process.pid)")
    pid = int(subprocess.run([sys.executable, "-c", script, str(tmp_path / "orphan")],
                             capture_output=True, text=True, timeout=60, check=True).stdout)

    def gone():
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                return f.read().rpartition(")")[2].split()[0] == "Z"
        except FileNotFoundError:
            return True

    try:
        assert wait_for(gone, timeout=10), f"simulator {pid} outlived its parent"
        assert not os.path.exists(tmp_path / "orphan" / "server.pid")  # a clean shutdown
    finally:
        if not gone():
            os.kill(pid, signal.SIGKILL)
