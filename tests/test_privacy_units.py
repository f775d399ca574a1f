"""Audit keys, name redaction and file-name masking, by hand."""
import hashlib
import hmac
from datetime import date

from pqa_desktop.core.privacy import IdentifierMasker, MASK, audit_key, redact_names


def test_audit_key_is_the_first_ten_hex_of_the_hmac():
    expected = hmac.new(b"s3cret", b"case_file_audit|AB12345|2024-06-12", hashlib.sha256).hexdigest()[:10]
    assert audit_key("s3cret", "case_file_audit", " ab12345 ", date(2024, 6, 12)) == expected


def test_names_redacted_as_whole_words_with_parts_of_three_letters():
    text = "Laura Hughes was great; laura called. Lauran and Hughesfield are other words. Al too."
    out = redact_names(text, ["Laura Hughes", "Al Bo"])
    assert out == "[name] was great; [name] called. Lauran and Hughesfield are other words. Al too."


def test_masker_masks_inside_file_names_longest_first():
    mask = IdentifierMasker(["123456", "1234567", "Laura Hughes", "ab"])
    assert mask("CFA1234567 - laura hughes.xlsx") == f"CFA{MASK} - {MASK}.xlsx"
    assert mask("CFA 123456 May.xlsx") == f"CFA {MASK} May.xlsx"
    assert mask("ab.xlsx") == "ab.xlsx"  # identifiers shorter than 3 characters are not masked
