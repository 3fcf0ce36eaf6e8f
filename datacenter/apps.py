from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacenterConfig(AppConfig):
    name = "datacenter"
    verbose_name = _("Certificates of authenticity of issuance")

    def ready(self) -> None:
        from datacenter.demo import demo_certificates
        from datacenter.workspace import datacenter_cards
        from govportal.web import workspace
        from govportal.web.demo import SAMPLE_MAKERS

        workspace.register(datacenter_cards)
        if demo_certificates not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_certificates)
