"""Hanoi's district-level units with their codes in the national administrative-unit list
(Decision 124/2004/QĐ-TTg, General Statistics Office)."""

HANOI_DISTRICTS: dict[str, str] = {
    "001": "Ba Đình",
    "002": "Hoàn Kiếm",
    "003": "Tây Hồ",
    "004": "Long Biên",
    "005": "Cầu Giấy",
    "006": "Đống Đa",
    "007": "Hai Bà Trưng",
    "008": "Hoàng Mai",
    "009": "Thanh Xuân",
    "016": "Sóc Sơn",
    "017": "Đông Anh",
    "018": "Gia Lâm",
    "019": "Nam Từ Liêm",
    "020": "Thanh Trì",
    "021": "Bắc Từ Liêm",
    "250": "Mê Linh",
    "268": "Hà Đông",
    "269": "Sơn Tây",
    "271": "Ba Vì",
    "272": "Phúc Thọ",
    "273": "Đan Phượng",
    "274": "Hoài Đức",
    "275": "Quốc Oai",
    "276": "Thạch Thất",
    "277": "Chương Mỹ",
    "278": "Thanh Oai",
    "279": "Thường Tín",
    "280": "Phú Xuyên",
    "281": "Ứng Hòa",
    "282": "Mỹ Đức",
}


def is_hanoi_district(code: str) -> bool:
    return code in HANOI_DISTRICTS
