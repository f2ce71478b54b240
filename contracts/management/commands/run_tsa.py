"""Serve the demo's timestamp authority: `python manage.py run_tsa [--port 8732]`."""

from contracts.tsa import local_authority
from contracts.tsa_server import tsa_server
from core.local_servers import LocalServerCommand


class Command(LocalServerCommand):
    help = (
        "Serve the local RFC 3161 timestamp authority (PKI_DIR's TSA certificate) on 127.0.0.1 "
        "for the demo; production asks the real TSA at TSA_URL instead."
    )
    url_setting = "TSA_URL"

    def service(self):
        return local_authority()

    def server(self, service, port):
        return tsa_server(service, port=port)

    def describe(self, service) -> str:
        return f"Local timestamp authority ({service.certificate.subject.human_friendly})"
