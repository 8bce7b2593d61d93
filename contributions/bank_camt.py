"""ISO 20022 bank-to-customer messages: camt.053 (statement) and camt.054 (debit/credit notification).

The XML is parsed with defusedxml only, with DTDs, entities and external references all forbidden, so an
entity bomb or an external entity is refused at the DOCTYPE, before anything is expanded or fetched.
Elements are matched on their local names (the namespaces are dropped once the message is known), so every
version from 001.02 to 001.13, and a document a bank sent without a namespace, is read by the same code.

This module only finds the texts each line is made of; ``bank_files`` checks and converts them, so a camt
line and a CSV line are refused by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from common.errors import DomainError

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.(\d{2})$")
SUPPORTED_VERSIONS = range(2, 14)
# Message element under Document -> (format, element of one statement or notification).
_MESSAGES = {"BkToCstmrStmt": ("camt.053", "Stmt"), "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn")}
_XML_STARTS = (b"<", b"\xef\xbb\xbf<", b"\xff\xfe<\x00", b"\xfe\xff\x00<")
# The payer left the end-to-end id empty: it identifies nothing.
_NOT_PROVIDED = "NOTPROVIDED"


@dataclass(frozen=True)
class CamtLine:
    """One credit as the bank wrote it, before any check: texts, not values.

    ``entry_amount`` is set only on the lines of a batch-booked entry (several TxDtls): the entry's total,
    which the lines' own amounts must add up to."""

    row: int
    transaction_id: str
    booking_date: str
    value_date: str
    amount: str
    currency: str
    payer_name: str
    payer_account: str
    remittance: str
    credit_debit: str
    reversal: bool
    status: str
    entry_amount: str | None = None


@dataclass(frozen=True)
class CamtDocument:
    format: str
    statement_id: str
    account: str
    lines: list[CamtLine]


def looks_like_xml(data: bytes) -> bool:
    return data.lstrip(b" \t\r\n").startswith(_XML_STARTS)


def read_camt(data: bytes, *, max_lines: int) -> CamtDocument:
    """The lines of a camt.053 or camt.054 document, one per entry, or one per TxDtls of a batch entry.

    Raises ``DomainError``: ``bank.xml_forbidden`` (DTD, entity, external reference), ``bank.file_unreadable``
    (not well-formed), ``bank.format_unknown`` (another XML message or an unsupported version),
    ``bank.too_many_lines`` (limit)."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DomainError("bank.xml_forbidden") from exc
    except (ParseError, ValueError) as exc:
        raise DomainError("bank.file_unreadable") from exc
    message = _message(root)
    if message is None:
        raise DomainError("bank.format_unknown")
    _drop_namespaces(root)
    element, (kind, statement_tag) = message
    statements = _kids(element, statement_tag)
    lines: list[CamtLine] = []
    row = 0
    for statement in statements:
        for entry in _kids(statement, "Ntry"):
            row += 1
            lines.extend(_entry_lines(entry, row))
            if len(lines) > max_lines:
                raise DomainError("bank.too_many_lines", limit=max_lines)
    return CamtDocument(
        format=kind,
        # A document normally carries one statement; when it carries several, all their ids are kept.
        statement_id=",".join(_distinct(_text(statement, "Id") for statement in statements)),
        account=",".join(_distinct(_account(_find(statement, "Acct")) for statement in statements)),
        lines=lines,
    )


def _message(root: Element) -> tuple[Element, tuple[str, str]] | None:
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "Document":
        return None
    if namespace:
        match = _NAMESPACE.match(namespace)
        if match is None or int(match.group(2)) not in SUPPORTED_VERSIONS:
            return None
        expected = "camt." + match.group(1)
    else:
        expected = None
    for child in root:
        known = _MESSAGES.get(_local(child.tag))
        if known is not None and expected in (None, known[0]):
            return child, known
    return None


def _drop_namespaces(root: Element) -> None:
    """Elements are matched on their local names; dropping the namespaces once lets ElementTree's own
    (fast) paths do the matching."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.rpartition("}")[2]


def _entry_lines(entry: Element, row: int) -> list[CamtLine]:
    amount = _find(entry, "Amt")
    common = {
        "row": row,
        "booking_date": _date_text(_find(entry, "BookgDt")),
        "value_date": _date_text(_find(entry, "ValDt")),
        "reversal": _text(entry, "RvslInd").lower() in ("true", "1"),
        # 001.02-001.05 write <Sts>BOOK</Sts>; later versions <Sts><Cd>BOOK</Cd></Sts>.
        "status": _text(entry, "Sts", "Cd") or _text(entry, "Sts"),
    }
    # The bank's own reference identifies a transaction across statements (camt.054 then camt.053 of the
    # same day carry the same AcctSvcrRef); NtryRef is often a number within one statement, and the payer's
    # EndToEndId is chosen by the payer: neither is used alone (see bank_files: they get the statement id).
    entry_id = _text(entry, "AcctSvcrRef")
    weak_id = _text(entry, "NtryRef")
    entry_note = _text(entry, "AddtlNtryInf")
    details = [tx for block in _kids(entry, "NtryDtls") for tx in _kids(block, "TxDtls")]
    if len(details) <= 1:
        tx = details[0] if details else None
        return [CamtLine(
            transaction_id=entry_id or _bank_reference(tx) or _weak(weak_id or _end_to_end(tx)),
            amount=_value(amount), currency=_currency(amount),
            credit_debit=_text(entry, "CdtDbtInd"),
            **_party_and_text(tx, entry_note), **common,
        )]
    # Batch booking: one line per transaction, each with its own amount.  A transaction without a bank
    # reference of its own is named after the entry and its position in it.
    lines = []
    for position, tx in enumerate(details, start=1):
        tx_amount = _find(tx, "Amt")
        if tx_amount is None:
            tx_amount = _find(tx, "AmtDtls", "TxAmt", "Amt")
        own = _bank_reference(tx)
        lines.append(CamtLine(
            transaction_id=own or (f"{entry_id}/{position}" if entry_id
                                   else _weak(f"{weak_id}/{position}" if weak_id else _end_to_end(tx))),
            amount=_value(tx_amount), currency=_currency(tx_amount),
            credit_debit=_text(tx, "CdtDbtInd") or _text(entry, "CdtDbtInd"),
            entry_amount=_value(amount),
            **_party_and_text(tx, entry_note), **common,
        ))
    return lines


def _party_and_text(tx: Element | None, entry_note: str) -> dict[str, str]:
    if tx is None:
        return {"payer_name": "", "payer_account": "", "remittance": entry_note}
    parties = _find(tx, "RltdPties")
    # 001.02-001.07: Dbtr/Nm; 001.08 and later: Dbtr/Pty/Nm.
    name = _text(parties, "Dbtr", "Nm") or _text(parties, "Dbtr", "Pty", "Nm")
    remittance = _find(tx, "RmtInf")
    texts = [_clean(element.text) for element in _kids(remittance, "Ustrd")]
    for structured in _kids(remittance, "Strd"):
        texts.append(_text(structured, "CdtrRefInf", "Ref"))
        texts.extend(_clean(element.text) for element in _kids(structured, "AddtlRmtInf"))
    texts.extend([_text(tx, "AddtlTxInf"), entry_note])
    return {
        "payer_name": name,
        "payer_account": _account(_find(parties, "DbtrAcct")),
        "remittance": " ".join(text for text in texts if text),
    }


WEAK_ID = "\x00weak:"  # a marker: an id that is unique only within its statement (bank_files qualifies it)


def _weak(text: str) -> str:
    return WEAK_ID + text if text else ""


def _bank_reference(tx: Element | None) -> str:
    return _text(tx, "Refs", "AcctSvcrRef")


def _end_to_end(tx: Element | None) -> str:
    value = _text(tx, "Refs", "EndToEndId")
    return "" if value.upper() == _NOT_PROVIDED else value


def _account(account: Element | None) -> str:
    return _text(account, "Id", "IBAN") or _text(account, "Id", "Othr", "Id")


def _date_text(element: Element | None) -> str:
    return _text(element, "Dt") or _text(element, "DtTm")


def _value(amount: Element | None) -> str:
    return _clean(amount.text) if amount is not None else ""


def _currency(amount: Element | None) -> str:
    return (amount.get("Ccy") or "").strip().upper() if amount is not None else ""


def _local(tag: object) -> str:
    # Comments and processing instructions have a function as their tag; they are not elements.
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _kids(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else element.findall(name)


def _find(element: Element | None, *path: str) -> Element | None:
    return None if element is None else element.find("/".join(path))


def _text(element: Element | None, *path: str) -> str:
    found = _find(element, *path)
    return _clean(found.text) if found is not None else ""


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))
