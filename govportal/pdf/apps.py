from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PdfConfig(AppConfig):
    """No models: installed so that Celery finds ``govportal.pdf.tasks`` like every app's tasks."""

    name = "govportal.pdf"
    label = "pdf"
    verbose_name = _("Printed documents")

    def ready(self) -> None:
        from govportal.audit import labels

        labels.register({"pdf_rerender": _("PDF rendered again")})
        labels.register_sentences({"pdf_rerender": _("The PDF of %(target)s was rendered again")})
