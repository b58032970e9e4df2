"""Format check of the Vietnamese citizen identity card number (CCCD, *căn cước công dân*).

The 12 digits are laid out by Circular 07/2016/TT-BCA (as amended by Circular 59/2021/TT-BCA):

- digits 1–3: the province or city of birth registration (``001`` Hà Nội … ``096`` Cà Mau);
- digit 4: century of birth and sex — ``0``/``1`` 1900s male/female, ``2``/``3`` 2000s,
  ``4``/``5`` 2100s, ``6``/``7`` 2200s, ``8``/``9`` 1800s;
- digits 5–6: the last two digits of the birth year;
- digits 7–12: a random serial.

This is a format check only; whether the number belongs to the person is the population
registry's answer (:mod:`auth.registry`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from superapp.errors import AppError

PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Century digit // 2 → first year of the century.
_CENTURY_START = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800}
_TWELVE_DIGITS = re.compile(r"^\d{12}$")


class InvalidCccd(AppError):
    status = 422
    code = "account.invalid_cccd"


@dataclass(frozen=True)
class CccdInfo:
    number: str
    province_code: str
    province: str
    sex: str  # "male" | "female"
    century_start: int
    year_suffix: int

    def birth_year_matches(self, birth_date: date) -> bool:
        return (
            self.century_start <= birth_date.year < self.century_start + 100
            and birth_date.year % 100 == self.year_suffix
        )


def parse_cccd(number: str) -> CccdInfo:
    """The fields encoded in ``number``, or :class:`InvalidCccd` when the layout is wrong."""
    if not isinstance(number, str) or not _TWELVE_DIGITS.match(number):
        raise InvalidCccd(reason="format")
    province_code = number[:3]
    if province_code not in PROVINCES:
        raise InvalidCccd(reason="province")
    century_sex = int(number[3])
    return CccdInfo(
        number=number,
        province_code=province_code,
        province=PROVINCES[province_code],
        sex="male" if century_sex % 2 == 0 else "female",
        century_start=_CENTURY_START[century_sex // 2],
        year_suffix=int(number[4:6]),
    )


def validate_cccd(number: str, birth_date: date) -> CccdInfo:
    """Check ``number``'s layout and that its century and year digits agree with ``birth_date``."""
    info = parse_cccd(number)
    if not info.birth_year_matches(birth_date):
        raise InvalidCccd(reason="birth_date")
    return info


def is_valid_cccd(number: str, birth_date: date | None = None) -> bool:
    try:
        validate_cccd(number, birth_date) if birth_date else parse_cccd(number)
        return True
    except InvalidCccd:
        return False
