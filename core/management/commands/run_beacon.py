"""Serve the demo's randomness beacon: `python manage.py run_beacon [--port 8731]`."""

from core.beacon import local_beacon
from core.beacon_server import beacon_server
from core.local_servers import LocalServerCommand


class Command(LocalServerCommand):
    help = (
        "Serve the local randomness beacon (drand's HTTP API, quicknet's scheme) on 127.0.0.1 "
        "for the demo; production reads drand's public chain instead."
    )
    url_setting = "BEACON_URL"

    def service(self):
        return local_beacon()

    def server(self, service, port):
        return beacon_server(service, port=port)

    def describe(self, service) -> str:
        chain = service.chain()
        return (
            f"Local beacon {chain.chain_hash} "
            f"(a round every {chain.period} s since {chain.genesis.isoformat()})"
        )
