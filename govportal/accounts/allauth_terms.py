"""allauth strings whose Arabic we word differently, so the sign-in pages use the
portal's own terms (our catalogue takes precedence over allauth's).

Listed here so that makemessages keeps them in our catalogue. Besides our own terms, these
correct allauth's Arabic catalogue where it is wrong: the MFA section headed "وزارة الخارجية"
(Ministry of Foreign Affairs), "لم ترى", "لم تتلقى", "في غضو", "موثقف", stray letters and
direction marks, a broken plural ("6(unused_count)s"), and colloquial or ungrammatical wording on
the sign-up, verification, password and MFA pages and e-mails.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

TERMS = [
    gettext_noop("Cancel"),
    gettext_noop("Sign Up"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("Authenticator code"),
    gettext_noop("Code"),
    gettext_noop("Incorrect code."),
    gettext_noop("Email"),
    gettext_noop("Password (again)"),
    # allauth's Arabic corrected
    gettext_noop("MFA"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to "
        "finalize the signup process. If you do not see the verification email in your "
        "main inbox, check your spam folder. Please contact us if you do not receive the "
        "verification email within a few minutes."
    ),
    gettext_noop(
        "This part of the site requires us to verify that\nyou are who you claim to be. "
        "For this purpose, we require that you\nverify ownership of your email address. "
    ),
    gettext_noop(
        "We have sent an email to you for\nverification. Please click on the link inside "
        "that email. If you do not see the verification email in your main inbox, check "
        "your spam folder. Otherwise\ncontact us if you do not receive it within a few "
        "minutes."
    ),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam "
        "folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Hello from %(site_name)s!"),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given your email "
        "address to register an account on %(site_domain)s."
    ),
    gettext_noop("To confirm this is correct, go to %(activate_url)s"),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to access an "
        "account with email %(email)s. However, we do not have any record of such an "
        "account in our database."
    ),
    gettext_noop("Generate"),
    gettext_noop("Your account has no verified email address."),
    gettext_noop("Email address"),
    gettext_noop("Email Address"),
    gettext_noop("email addresses"),
    gettext_noop("Current email"),
    gettext_noop("Your email has been confirmed."),
    gettext_noop("Email Changed"),
    gettext_noop("Email Removed"),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Password successfully changed."),
    gettext_noop("Password successfully set."),
    gettext_noop("Primary email address set."),
    gettext_noop("Warning:"),
    gettext_noop("Email (again)"),
    gettext_noop("You must type the same email each time."),
    gettext_noop("Username can not be used. Please use other username."),
    gettext_noop("We are sorry, but the sign up is currently closed."),
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop(
        "This email confirmation link expired or is invalid. Please <a "
        'href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    gettext_noop("Bad Token"),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("Invalid token."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You are already logged in as %(user_display)s."),
    gettext_noop("Enter your password:"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("Enter an authenticator code:"),
    gettext_noop("Authenticator secret"),
    gettext_noop("Deactivate Authenticator App"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Request Code"),
    gettext_noop("New Password (again)"),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Sign-In Code"),
    gettext_noop("Password Reset Code"),
    gettext_noop("Enter Email Verification Code"),
    gettext_noop("Enter Password Reset Code"),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("A sign-in code has been sent to %(recipient)s."),
    ngettext_lazy(
        "There is %(unused_count)s out of %(total_count)s recovery codes available.",
        "There are %(unused_count)s out of %(total_count)s recovery codes available.",
        "count",
    ),
    gettext_noop("You cannot add an email address to an account protected by two-factor authentication."),
    gettext_noop("You cannot deactivate two-factor authentication."),
    gettext_noop("You cannot generate recovery codes without having two-factor authentication enabled."),
    gettext_noop("You cannot activate two-factor authentication until you have verified your email address."),
    gettext_noop("Your account is protected by two-factor authentication. Please enter an authenticator code:"),
    gettext_noop("A new set of Two-Factor Authentication recovery codes has been generated."),
    gettext_noop(
        "To protect your account with two-factor authentication, scan the QR code below "
        "with your authenticator app. Then, input the verification code generated by the "
        "app below."
    ),
    gettext_noop("You can store this secret and use it to reinstall your authenticator app at a later time."),
    gettext_noop("Request new code"),
]
