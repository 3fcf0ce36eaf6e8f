from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DatacenterConfig(AppConfig):
    name = "datacenter"
    verbose_name = _("Certificates of authenticity of issuance")

    def ready(self) -> None:
        from datacenter.demo import demo_certificates
        from datacenter.models import AuthenticityRequest, Certificate
        from datacenter.selectors import certificates_visible, requests_visible
        from datacenter.services import certificate_pdf_context
        from datacenter.workspace import datacenter_cards
        from govportal.audit import labels
        from govportal.pdf.printables import printable_register
        from govportal.web import workspace
        from govportal.web.demo import SAMPLE_MAKERS

        workspace.register(datacenter_cards)
        labels.register(
            {
                "authenticity_request_submit": _("Authenticity request submitted"),
                "authenticity_request_review": _("Authenticity request taken under review"),
                "authenticity_request_return": _("Authenticity request returned for more information"),
                "authenticity_request_resubmit": _("Authenticity request sent again"),
                "certificate_issue": _("Certificate of authenticity issued"),
                "certificate_revoke": _("Certificate of authenticity revoked"),
                "certificate_import": _("Certificates of authenticity imported"),
            }
        )
        labels.register_sentences(
            {
                "authenticity_request_submit": _("Authenticity request %(target)s was submitted"),
                "authenticity_request_review": _("Authenticity request %(target)s was taken under review"),
                "authenticity_request_return": _("Authenticity request %(target)s was returned for more information"),
                "authenticity_request_resubmit": _("Authenticity request %(target)s was sent again"),
                "certificate_issue": _("Certificate of authenticity %(target)s was issued"),
                "certificate_revoke": _("Certificate of authenticity %(target)s was revoked"),
                "certificate_import": _("Certificates of authenticity were imported from a file"),
            }
        )
        labels.register_target(
            "datacenter.authenticityrequest",
            labels.model_targets(
                AuthenticityRequest,
                visible=requests_visible,
                url=lambda item: reverse("datacenter:request_detail", args=[item.pk]),
            ),
        )
        labels.register_target(
            "datacenter.certificate",
            labels.model_targets(
                Certificate,
                visible=certificates_visible,
                url=lambda certificate: reverse("datacenter:certificate_detail", args=[certificate.pk]),
            ),
        )
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
