"""The e-mails identity sends (French), and the two ways of sending them.

With ``COMPTOIR_SMTP_URL`` set (``smtp://user:password@host:587`` uses STARTTLS when the
server offers it, ``smtps://`` implicit TLS) mail goes out through that server; without
it, the message is written to the log, which is how a developer follows a link locally.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

log = logging.getLogger("comptoir.mail")


@dataclass(frozen=True, slots=True)
class MailAttachment:
    filename: str
    content_type: str  # "application/pdf"
    data: bytes


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str
    attachments: tuple[MailAttachment, ...] = ()


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


class LogMailer:
    """No SMTP server configured: the message (and its link) goes to the log."""

    def send(self, mail: Mail) -> None:
        log.warning(
            "e-mail not sent (no SMTP server configured) to %s: %s\n%s%s",
            mail.to,
            mail.subject,
            mail.body,
            "".join(f"\n[pièce jointe : {a.filename}]" for a in mail.attachments),
        )


class SmtpMailer:
    def __init__(self, url: str, sender: str, *, timeout: float = 20) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("COMPTOIR_SMTP_URL: smtp://[user:password@]host[:port] attendu")
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._implicit_tls else 587)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender
        self._timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        if self._implicit_tls:
            return smtplib.SMTP_SSL(
                self._host,
                self._port,
                timeout=self._timeout,
                context=ssl.create_default_context(),
            )
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        return smtp

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        for file in mail.attachments:
            main, _, sub = file.content_type.partition("/")
            message.add_attachment(file.data, maintype=main, subtype=sub, filename=file.filename)
        with self._connect() as smtp:
            if self._user:
                smtp.login(self._user, self._password or "")
            smtp.send_message(message)


def build_mailer(smtp_url: str | None, sender: str) -> Mailer:
    return SmtpMailer(smtp_url, sender) if smtp_url else LogMailer()


def _date(value: datetime) -> str:
    return value.strftime("%d/%m/%Y")


def invitation_mail(
    to: str, business: str, link: str, expires_at: datetime, *, own_signup: bool
) -> Mail:
    if own_signup:
        intro = (
            f"Une demande de création de l'entreprise « {business} » a été faite avec votre "
            "adresse, qui a déjà un compte Comptoir. Si c'est vous, ouvrez ce lien pour en "
            "devenir l'administrateur (connectez-vous d'abord si votre compte est actif) :"
        )
    else:
        intro = f"Vous êtes invité(e) à rejoindre l'entreprise « {business} » sur Comptoir :"
    body = (
        f"Bonjour,\n\n{intro}\n\n{link}\n\n"
        f"Ce lien est personnel, utilisable une seule fois, jusqu'au {_date(expires_at)}.\n"
        "Si vous n'attendiez pas ce message, ignorez-le : rien ne sera fait sans vous.\n"
    )
    return Mail(to=to, subject=f"Invitation : {business} sur Comptoir", body=body)


def verification_mail(to: str, business: str, link: str, expires_at: datetime) -> Mail:
    body = (
        f"Bonjour,\n\nPour activer l'entreprise « {business} » et votre compte Comptoir, "
        f"confirmez votre adresse e-mail en ouvrant ce lien :\n\n{link}\n\n"
        "Le mot de passe choisi à l'inscription vous sera demandé. "
        f"Le lien est valable jusqu'au {_date(expires_at)}. Si vous n'êtes pas à l'origine "
        "de cette inscription, ignorez ce message : sans ce mot de passe, personne ne peut "
        "confirmer l'adresse.\n"
    )
    return Mail(to=to, subject="Confirmez votre adresse e-mail — Comptoir", body=body)
