from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacenterConfig(AppConfig):
    name = "datacenter"
    verbose_name = _("Certificates of authenticity of issuance")

    def ready(self) -> None:
        from datacenter.demo import demo_certificates
        from datacenter.models import Certificate
        from datacenter.services import certificate_pdf_context
        from datacenter.workspace import datacenter_cards
        from govportal.pdf.printables import printable_register
        from govportal.web import workspace
        from govportal.web.demo import SAMPLE_MAKERS

        workspace.register(datacenter_cards)
        printable_register(
            Certificate,
            field="pdf",
            template="datacenter/certificate_pdf.html",
            context=certificate_pdf_context,
            filename=lambda certificate: f"{certificate.serial}.pdf",
            select_related=("issuing_entity__parent", "artifact"),
            since="issued_at",
        )
        if demo_certificates not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_certificates)
