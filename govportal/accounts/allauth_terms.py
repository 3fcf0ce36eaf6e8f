"""allauth strings whose Arabic we word differently, so the sign-in pages use the
portal's own terms (our catalogue takes precedence over allauth's)."""

from django.utils.translation import gettext_noop

TERMS = [
    gettext_noop("Cancel"),
    gettext_noop("Sign Up"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("Authenticator code"),
    gettext_noop("Code"),
    gettext_noop("Incorrect code."),
    gettext_noop("Email"),
    gettext_noop("Password (again)"),
]
