"""A thin client of the WhatsApp Cloud API (Meta's Graph API) over httpx.

Four calls: send a message, upload a medium, resolve a medium id to its URL, download it.
The base URL (with the API version) is a setting, so tests and demos talk to a local fake
over real HTTP. Errors keep what decides the next step: the HTTP status and Meta's error
code — 429 and 5xx are worth retrying, 131047 (the 24-hour window closed) needs a
template, anything else will not get better by trying again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

# Meta's error codes that name a passing condition (throttling, a temporary outage).
RETRYABLE_CODES = frozenset({4, 80007, 130429, 131016, 131048, 131056, 133004})
WINDOW_CLOSED = 131047  # "Re-engagement message": more than 24 h since the contact wrote


class GraphError(Exception):
    """A call refused or failed; ``retryable`` says whether trying later may succeed."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"Graph API {status} (code {code}): {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500 or self.code in RETRYABLE_CODES


@dataclass(frozen=True)
class Medium:
    url: str
    mime_type: str
    sha256: str | None = None


class GraphAPI:
    """The calls Comptoir makes, authenticated with the business's access token."""

    def __init__(self, base_url: str, access_token: str, *, timeout: float = 15) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._client.close()

    def send_message(self, phone_number_id: str, to: str, body: dict[str, Any]) -> str:
        """Send ``body`` (a Graph message object: text, interactive, document, template)
        to ``to`` (E.164, with or without +) and return the new message's ``wamid``."""
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to.lstrip("+"),
            **body,
        }
        answer = self._call("POST", f"{phone_number_id}/messages", json=payload)
        messages = answer.get("messages") or [{}]
        wamid = messages[0].get("id")
        if not isinstance(wamid, str):
            raise GraphError(502, None, "réponse sans identifiant de message")
        return wamid

    def upload_media(self, phone_number_id: str, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file for a later message; returns its media id."""
        answer = self._call(
            "POST",
            f"{phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        return str(answer["id"])

    def medium(self, media_id: str) -> Medium:
        """Where a received medium can be downloaded (the URL lives a few minutes)."""
        answer = self._call("GET", media_id)
        return Medium(str(answer["url"]), str(answer.get("mime_type") or ""), answer.get("sha256"))

    def download(self, url: str, *, max_bytes: int = 25 * 1024 * 1024) -> bytes:
        """The bytes at a media URL (which also wants the access token)."""
        with self._client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise GraphError(response.status_code, None, "téléchargement refusé")
            data = bytearray()
            for chunk in response.iter_bytes():
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise GraphError(413, None, "fichier trop volumineux")
            return bytes(data)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:  # a dropped link: worth another try
            raise GraphError(503, None, f"{type(exc).__name__}: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code >= 400 or "error" in answer:
            error = answer.get("error") or {}
            code = error.get("code")
            raise GraphError(
                response.status_code if response.status_code >= 400 else 400,
                int(code) if isinstance(code, int | str) and str(code).isdigit() else None,
                str(error.get("message") or response.text[:200]),
            )
        return dict(answer)
