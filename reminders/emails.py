"""Emails as template triplets: templates/emails/<name>_subject.txt, _body.txt, _body.html,
built by one helper. (A candidate for rocu_tracker/ once another app sends email.)"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_build(name: str, context: dict, *, to: list[str]) -> EmailMultiAlternatives:
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    return message
