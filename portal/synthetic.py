"""Deterministic synthetic data: Lao and Tajik employers and people, the same for the same seed and size.

Used by the demo (`portal seed-demo`) and by the benchmarks in `bench/`."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

LAO_GIVEN = [("ສົມພອນ", "Somphone"), ("ບຸນມີ", "Bounmy"), ("ແສງ", "Seng"), ("ຄຳພອນ", "Khamphone"),
             ("ນ້ອຍ", "Noy"), ("ວັນນະ", "Vanna"), ("ສຸກສະຫວັນ", "Souksavanh"), ("ພອນສະຫວັນ", "Phonesavanh"),
             ("ມະນີວັນ", "Manivanh"), ("ທອງດີ", "Thongdy"), ("ອານຸສອນ", "Anousone"), ("ແກ້ວ", "Keo")]
LAO_FAMILY = [("ພົມມະວົງ", "Phommavong"), ("ສີສຸວັນ", "Sisouvanh"), ("ແສງສຸລິຍາ", "Sengsouriya"),
              ("ວົງສາ", "Vongsa"), ("ອິນທະວົງ", "Inthavong"), ("ຈັນທະລາ", "Chanthala"), ("ສີຫາລາດ", "Sihalath"),
              ("ບຸບຜາ", "Bouphha"), ("ດວງມະນີ", "Douangmany"), ("ແກ້ວມະນີ", "Keomany")]
TJ_GIVEN = [("Фарида", "Farida"), ("Ҷамшед", "Jamshed"), ("Далер", "Daler"), ("Зарина", "Zarina"),
            ("Фирӯз", "Firuz"), ("Манижа", "Manizha"), ("Рустам", "Rustam"), ("Шаҳло", "Shahlo"),
            ("Бахтиёр", "Bakhtiyor"), ("Мадина", "Madina"), ("Қодир", "Qodir"), ("Ғулом", "Ghulom")]
TJ_FAMILY = [("Раҳимова", "Rahimova"), ("Каримов", "Karimov"), ("Назаров", "Nazarov"), ("Ҷӯраев", "Juraev"),
             ("Саидова", "Saidova"), ("Ҳасанов", "Hasanov"), ("Қурбонов", "Qurbonov"), ("Шарипова", "Sharipova"),
             ("Собиров", "Sobirov"), ("Ғафуров", "Ghafurov")]
LAO_COMPANY = [("ນ້ຳຂອງ", "Mekong"), ("ຈຳປາ", "Champa"), ("ລ້ານຊ້າງ", "Lane Xang"), ("ວຽງຈັນ", "Vientiane"),
               ("ສີໂຄດ", "Sikhot"), ("ພູສີ", "Phousi")]
LAO_TRADE = [("ກໍ່ສ້າງ", "Construction"), ("ການຄ້າ", "Trading"), ("ກະສິກຳ", "Agriculture"),
             ("ໂຮງແຮມ", "Hotel"), ("ຂົນສົ່ງ", "Transport")]
TJ_COMPANY = [("Помир", "Pomir"), ("Варзоб", "Varzob"), ("Ҳисор", "Hisor"), ("Суғд", "Sughd"),
              ("Хатлон", "Khatlon"), ("Зарафшон", "Zarafshon")]
TJ_TRADE = [("Текстил", "Textile"), ("Сохтмон", "Construction"), ("Савдо", "Trade"), ("Агро", "Agro"),
            ("Нақлиёт", "Transport")]


@dataclass(frozen=True, slots=True)
class SyntheticEmployer:
    scheme_code: str
    legal_name: str
    legal_name_latin: str
    region_code: str
    preferred_language: str


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    country: str
    given_name: str
    family_name: str
    given_name_latin: str
    family_name_latin: str
    birth_date: dt.date
    sex: str
    document_number: str


def employers(n: int, seed: int = 2026) -> Iterator[SyntheticEmployer]:
    """``n`` employers, alternating Lao PDR and Tajikistan."""
    rng = random.Random(seed)
    for i in range(n):
        if i % 2 == 0:
            (name, latin), (trade, trade_latin) = rng.choice(LAO_COMPANY), rng.choice(LAO_TRADE)
            yield SyntheticEmployer("LA-LSSO", f"ບໍລິສັດ {name} {trade} {i} ຈຳກັດ",
                                    f"{latin} {trade_latin} {i} Co., Ltd.", "LA-VT-01", "lo")
        else:
            (name, latin), (trade, trade_latin) = rng.choice(TJ_COMPANY), rng.choice(TJ_TRADE)
            yield SyntheticEmployer("TJ-SOCTAX", f"ҶДММ «{name} {trade} {i}»", f"{latin} {trade_latin} {i} LLC",
                                    "TJ-DU-01", rng.choice(["tg", "ru"]))


def people(n: int, seed: int = 2026, country: str | None = None) -> Iterator[SyntheticPerson]:
    """``n`` people with unique document numbers, born 1960-2006."""
    rng = random.Random(seed)
    for i in range(n):
        lao = country == "LA" or (country is None and i % 2 == 0)
        (given, given_latin) = rng.choice(LAO_GIVEN if lao else TJ_GIVEN)
        (family, family_latin) = rng.choice(LAO_FAMILY if lao else TJ_FAMILY)
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 46 * 365))
        yield SyntheticPerson("LA" if lao else "TJ", given, family, given_latin, family_latin, born,
                              rng.choice("FM"), f"{'LA' if lao else 'TJ'}{i:09d}")


@dataclass(frozen=True)
class StatementEntry:
    """One credit on a synthetic bank statement."""

    reference: str  # the bank's transaction reference
    booked: dt.date
    amount: object  # Decimal, written as is
    payer: str
    remittance: str


def camt053(entries: list[StatementEntry], *, currency: str, account: str, statement_id: str) -> bytes:
    """A minimal but valid ISO 20022 camt.053.001.08 statement of credits, as banks send them."""
    from xml.sax.saxutils import escape

    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>',
             f"<GrpHdr><MsgId>{escape(statement_id)}</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm></GrpHdr>",
             f"<Stmt><Id>{escape(statement_id)}</Id><Acct><Id><Othr><Id>{escape(account)}</Id></Othr></Id>"
             f"<Ccy>{currency}</Ccy></Acct>"]
    for entry in entries:
        parts.append(
            f'<Ntry><Amt Ccy="{currency}">{entry.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
            f"<BookgDt><Dt>{entry.booked.isoformat()}</Dt></BookgDt><ValDt><Dt>{entry.booked.isoformat()}</Dt>"
            f"</ValDt><AcctSvcrRef>{escape(entry.reference)}</AcctSvcrRef><NtryDtls><TxDtls>"
            f'<Amt Ccy="{currency}">{entry.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<RltdPties><Dbtr><Pty><Nm>{escape(entry.payer)}</Nm></Pty></Dbtr></RltdPties>"
            f"<RmtInf><Ustrd>{escape(entry.remittance)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>")
    parts.append("</Stmt></BkToCstmrStmt></Document>")
    return "".join(parts).encode("utf-8")
