"""Command line: element-sim serve | stop | status."""

import argparse
import json
import logging
import os
import signal
import socket
import ssl
import sys
import threading
import time

from .files import write_atomic
from .network import join_mvip

PID_FILE = "server.pid"
DB_FILE = "sim.db"
LOG_FILE = "sim.log"
STOP_TIMEOUT_SECONDS = 20
FIRST_OWN_ADDRESS = 2  # --address-per-cluster: cluster i listens on 127.0.0.(2+i)
PORT_PROBES = 50

log = logging.getLogger("element_sim")


def _pid_alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False


def _read_pid(state_dir):
    try:
        with open(os.path.join(state_dir, PID_FILE), encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def cluster_names(args):
    if args.names:
        names = [n.strip() for n in args.names.split(",") if n.strip()]
        if args.clusters is not None and args.clusters != len(names):
            raise SystemExit("element-sim: --clusters and the number of --names differ")
    elif args.clusters:
        names = [f"cluster{i}" for i in range(1, args.clusters + 1)]
    else:
        raise SystemExit("element-sim: give --clusters N (or --names)")
    if len(set(names)) != len(names) or any(not n.replace("-", "").replace("_", "").isalnum()
                                            for n in names):
        raise SystemExit("element-sim: cluster names must be unique: letters, digits, - and _")
    return names


def listen_addresses(args, count):
    """[(host, port)] for each cluster; port 0 means a free one."""
    if not args.address_per_cluster:
        return [(args.host, args.base_port + i if args.base_port else 0) for i in range(count)]
    if FIRST_OWN_ADDRESS + count > 255:
        raise SystemExit("element-sim: --address-per-cluster serves at most 253 clusters")
    hosts = [f"127.0.0.{FIRST_OWN_ADDRESS + i}" for i in range(count)]
    port = args.base_port or shared_free_port(hosts)
    return [(host, port) for host in hosts]


def shared_free_port(hosts):
    """A port that is free on every one of hosts (bounded number of probes)."""
    for _ in range(PORT_PROBES):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = probe.getsockname()[1]
            probes = []
            try:
                for host in hosts[1:]:
                    probes.append(socket.socket())
                    probes[-1].bind((host, port))
                return port
            except OSError:
                continue
            finally:
                for other in probes:
                    other.close()
    raise SystemExit(f"element-sim: no port is free on all of {hosts[0]}..{hosts[-1]}")


def ready_document(server, tls, ca_cert):
    scheme = "https" if tls else "http"
    clusters = []
    for endpoint in server.endpoints.values():
        cluster = endpoint.cluster
        port = cluster.port
        clusters.append({
            "name": cluster.name, "mvip": cluster.mvip, "host": cluster.host, "port": port,
            "url": f"{scheme}://{join_mvip(cluster.host, port)}",
            "username": cluster.identity["username"],
            "password": cluster.identity["password"], "ca_cert": ca_cert if tls else None,
            "unique_id": cluster.unique_id, "uuid": cluster.identity["uuid"]})
    return {"clusters": clusters}


def inventory_yaml(ready, tls):
    """Ansible YAML inventory. Strings are written as JSON strings, which YAML reads as is."""
    q = json.dumps
    lines = ["all:", "  hosts:"]
    for c in ready["clusters"]:
        lines += [f"    {c['name']}:",
                  f"      element_hostname: {q(c['host'])}",
                  f"      element_port: {c['port']}",
                  f"      element_username: {q(c['username'])}",
                  f"      element_password: {q(c['password'])}",
                  f"      element_validate_certs: {'true' if tls else 'false'}"]
        if tls:
            lines.append(f"      element_ca_path: {q(c['ca_cert'])}")
    lines += ["  children:", "    element_clusters:", "      hosts:"]
    lines += [f"        {c['name']}:" for c in ready["clusters"]]
    return "\n".join(lines) + "\n"


def serve(args):
    from .cluster import Simulator
    from .network import Network
    from .server import SimulatorServer
    from .store import SQLiteStore
    from .tls import ensure_ca, ensure_server_cert

    names = cluster_names(args)
    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    logging.basicConfig(filename=os.path.join(state_dir, LOG_FILE), level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    running = _read_pid(state_dir)
    if running and running != os.getpid() and _pid_alive(running):
        raise SystemExit(f"element-sim: already running with pid {running} on {state_dir}")
    tls = not args.no_tls
    ca_cert = ca_key = None
    if tls:
        ca_cert, ca_key = ensure_ca(os.path.abspath(args.ca_dir or state_dir))
    store = SQLiteStore(os.path.join(state_dir, DB_FILE))
    sim = Simulator(store, Network(ca_file=ca_cert))
    server = SimulatorServer(sim, state_dir)
    addresses = listen_addresses(args, len(names))
    if args.address_per_cluster:
        sim.network.api_port = addresses[0][1]
    try:
        for name, (host, port) in zip(names, addresses):
            cluster = sim.load_or_create(name, args.volumes)
            context = None
            if tls:
                cert, key = ensure_server_cert(state_dir, name, ca_cert, ca_key, host)
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, key)
            server.add_cluster(cluster, host, port, context, bare_mvip=args.address_per_cluster)
    except OSError as exc:
        store.close()
        raise SystemExit(f"element-sim: cannot listen on {host}:{port}: {exc.strerror}")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    pid_path = os.path.join(state_dir, PID_FILE)
    write_atomic(pid_path, f"{os.getpid()}\n", 0o644)
    server.start()
    ready = ready_document(server, tls, ca_cert)
    if args.inventory_file:
        write_atomic(os.path.abspath(args.inventory_file), inventory_yaml(ready, tls))
    if args.ready_file:
        write_atomic(os.path.abspath(args.ready_file), json.dumps(ready, indent=2) + "\n")
    log.info("serving %s", ", ".join(f"{e.name} at {e.mvip}" for e in server.endpoints.values()))
    print(f"element-sim: serving {len(names)} cluster(s) from {state_dir}", flush=True)

    parent = os.getppid() if args.exit_with_parent else None
    while not stop.wait(0.5):
        if parent is not None and os.getppid() != parent:
            log.info("the process that started the simulator is gone")
            break  # e.g. a killed test worker: do not linger as an orphan
    log.info("stopping")
    server.stop()
    with sim.lock:
        store.close()
    try:
        os.remove(pid_path)
    except FileNotFoundError:
        pass
    log.info("stopped")
    return 0


def stop(args):
    state_dir = os.path.abspath(args.state_dir)
    pid = _read_pid(state_dir)
    if pid is None or not _pid_alive(pid):
        print(f"element-sim: not running on {state_dir}")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + args.timeout
    pid_path = os.path.join(state_dir, PID_FILE)
    while time.monotonic() < deadline:
        if not os.path.exists(pid_path) or not _pid_alive(pid):
            print(f"element-sim: stopped pid {pid}")
            return 0
        time.sleep(0.1)
    print(f"element-sim: pid {pid} did not stop within {args.timeout} s", file=sys.stderr)
    return 1


def status(args):
    pid = _read_pid(os.path.abspath(args.state_dir))
    running = pid is not None and _pid_alive(pid)
    print(json.dumps({"running": running, "pid": pid if running else None}))
    return 0 if running else 3


def main(argv=None):
    parser = argparse.ArgumentParser(prog="element-sim",
                                     description="Simulated NetApp Element clusters")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="serve N clusters until SIGTERM/SIGINT")
    p.add_argument("--clusters", type=int, help="number of clusters (default: one per --names)")
    p.add_argument("--state-dir", required=True, help="where state, certificates and logs live")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--base-port", type=int, default=0,
                   help="first port; clusters use consecutive ports (0: free ports)")
    p.add_argument("--ready-file", help="JSON written once every listener accepts connections")
    p.add_argument("--inventory-file", help="Ansible YAML inventory to write (mode 0600)")
    p.add_argument("--volumes", type=int, default=0,
                   help="seed each new cluster with one account and K volumes")
    p.add_argument("--no-tls", action="store_true", help="serve plain HTTP")
    p.add_argument("--address-per-cluster", action="store_true",
                   help="cluster i listens on 127.0.0.(2+i), all on one port (--base-port, or "
                        "a free one), and reports a bare-IP MVIP and SVIP as real clusters do "
                        "(--host does not apply)")
    p.add_argument("--names", help="comma-separated cluster names (default cluster1..N)")
    p.add_argument("--ca-dir", help="take the CA from this directory instead of the state dir "
                                    "(lets two simulator processes trust each other)")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="stop when the process that started this one exits (the harness "
                        "sets it, so killed test runs leave no servers behind)")
    p.set_defaults(func=serve)

    p = commands.add_parser("stop", help="stop the simulator serving a state dir")
    p.add_argument("--state-dir", required=True)
    p.add_argument("--timeout", type=float, default=STOP_TIMEOUT_SECONDS)
    p.set_defaults(func=stop)

    p = commands.add_parser("status", help="print whether a simulator serves a state dir")
    p.add_argument("--state-dir", required=True)
    p.set_defaults(func=status)

    args = parser.parse_args(argv)
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
