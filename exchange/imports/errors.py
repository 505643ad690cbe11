"""The error a whole import file is refused with: a code and a message in Thai and English."""

from __future__ import annotations

from common.bilingual import both


class ImportFileError(Exception):
    """The file cannot be imported at all (nothing is read further, nothing is written)."""

    def __init__(self, code: str, message, /, **params):
        texts = both(message, **params)
        self.code = code
        self.message_th = texts["message_th"]
        self.message_en = texts["message_en"]
        super().__init__(f"{self.message_en} / {self.message_th}")

    def as_dict(self) -> dict:
        return {"code": self.code, "message_th": self.message_th, "message_en": self.message_en}
