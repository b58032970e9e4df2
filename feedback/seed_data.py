"""Demo reference data: a handful of inner Hanoi districts and wards (approximate boundaries
drawn around their real coordinates), the city departments that handle reports, and the
report categories."""

from __future__ import annotations

import json


def _polygon(*corners: tuple[float, float]) -> str:
    """GeoJSON Polygon from ``(lat, lon)`` corners (closed automatically; GeoJSON is lon, lat)."""
    ring = [[lon, lat] for lat, lon in corners]
    ring.append(ring[0])
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _box(south: float, west: float, north: float, east: float) -> str:
    return _polygon((south, west), (south, east), (north, east), (north, west))


# District code, names, (south, west, north, east), wards split at a latitude or longitude.
DISTRICTS = [
    (
        "HN-HK",
        {"vi": "Quận Hoàn Kiếm", "en": "Hoan Kiem District"},
        (21.017, 105.842, 21.045, 105.870),
        (
            "lat",
            21.030,
            ("HN-HK-TT", {"vi": "Phường Tràng Tiền", "en": "Trang Tien Ward"}),
            ("HN-HK-HB", {"vi": "Phường Hàng Bạc", "en": "Hang Bac Ward"}),
        ),
    ),
    (
        "HN-BD",
        {"vi": "Quận Ba Đình", "en": "Ba Dinh District"},
        (21.025, 105.805, 21.050, 105.842),
        (
            "lon",
            105.825,
            ("HN-BD-KM", {"vi": "Phường Kim Mã", "en": "Kim Ma Ward"}),
            ("HN-BD-DB", {"vi": "Phường Điện Biên", "en": "Dien Bien Ward"}),
        ),
    ),
    (
        "HN-DD",
        {"vi": "Quận Đống Đa", "en": "Dong Da District"},
        (20.995, 105.805, 21.025, 105.842),
        (
            "lon",
            105.825,
            ("HN-DD-LH", {"vi": "Phường Láng Hạ", "en": "Lang Ha Ward"}),
            ("HN-DD-VM", {"vi": "Phường Văn Miếu", "en": "Van Mieu Ward"}),
        ),
    ),
    (
        "HN-HBT",
        {"vi": "Quận Hai Bà Trưng", "en": "Hai Ba Trung District"},
        (20.990, 105.842, 21.017, 105.870),
        (
            "lon",
            105.856,
            ("HN-HBT-BK", {"vi": "Phường Bách Khoa", "en": "Bach Khoa Ward"}),
            ("HN-HBT-BD", {"vi": "Phường Bạch Đằng", "en": "Bach Dang Ward"}),
        ),
    ),
    (
        "HN-CG",
        {"vi": "Quận Cầu Giấy", "en": "Cau Giay District"},
        (21.005, 105.770, 21.050, 105.805),
        (
            "lat",
            21.030,
            ("HN-CG-DV", {"vi": "Phường Dịch Vọng", "en": "Dich Vong Ward"}),
            ("HN-CG-ND", {"vi": "Phường Nghĩa Đô", "en": "Nghia Do Ward"}),
        ),
    ),
    (
        "HN-TH",
        {"vi": "Quận Tây Hồ", "en": "Tay Ho District"},
        (21.050, 105.805, 21.090, 105.845),
        (
            "lat",
            21.068,
            ("HN-TH-QA", {"vi": "Phường Thụy Khuê", "en": "Thuy Khue Ward"}),
            ("HN-TH-BU", {"vi": "Phường Quảng An", "en": "Quang An Ward"}),
        ),
    ),
]


def areas() -> list[dict]:
    """Districts then wards, each with a GeoJSON boundary."""
    out: list[dict] = []
    for code, name, (s, w, n, e), (axis, cut, first, second) in DISTRICTS:
        out.append({"code": code, "kind": "district", "parent_code": None, "name": name, "boundary": _box(s, w, n, e)})
        if axis == "lat":
            halves = [(first, (s, w, cut, e)), (second, (cut, w, n, e))]
        else:
            halves = [(first, (s, w, n, cut)), (second, (s, cut, n, e))]
        for (ward_code, ward_name), (ws, ww, wn, we) in halves:
            out.append(
                {
                    "code": ward_code,
                    "kind": "ward",
                    "parent_code": code,
                    "name": ward_name,
                    "boundary": _box(ws, ww, wn, we),
                }
            )
    return out


AGENCIES = [
    ("HN-GTVT", {"vi": "Sở Giao thông Vận tải Hà Nội", "en": "Hanoi Department of Transport"}),
    (
        "HN-TNMT",
        {"vi": "Sở Tài nguyên và Môi trường Hà Nội", "en": "Hanoi Department of Natural Resources and Environment"},
    ),
    ("HN-XD", {"vi": "Sở Xây dựng Hà Nội", "en": "Hanoi Department of Construction"}),
    ("HN-DTHT", {"vi": "Ban Quản lý Hạ tầng Đô thị Hà Nội", "en": "Hanoi Urban Infrastructure Board"}),
    ("HN-HK-UBND", {"vi": "UBND quận Hoàn Kiếm", "en": "Hoan Kiem District People's Committee"}),
    ("HN-TT-CAP", {"vi": "UBND phường Tràng Tiền", "en": "Trang Tien Ward People's Committee"}),
]

# code, group, default agency, default severity, names, descriptions
CATEGORIES = [
    (
        "traffic.road_damage",
        "traffic",
        "HN-GTVT",
        "normal",
        {"vi": "Hư hỏng mặt đường, ổ gà", "en": "Road damage, potholes"},
        {"vi": "Mặt đường, vỉa hè bị sụt lún, ổ gà.", "en": "Sunken or broken road surface, potholes."},
    ),
    (
        "traffic.signal",
        "traffic",
        "HN-GTVT",
        "urgent",
        {"vi": "Đèn tín hiệu giao thông hỏng", "en": "Broken traffic light"},
        {"vi": "Đèn tín hiệu không hoạt động hoặc sai pha.", "en": "Traffic light out of order or mistimed."},
    ),
    (
        "environment.waste",
        "environment",
        "HN-TNMT",
        "normal",
        {"vi": "Rác thải, vệ sinh môi trường", "en": "Waste and street cleanliness"},
        {"vi": "Rác tồn đọng, đổ trộm phế thải.", "en": "Uncollected rubbish, fly-tipping."},
    ),
    (
        "environment.pollution",
        "environment",
        "HN-TNMT",
        "complex",
        {"vi": "Ô nhiễm khói, bụi, tiếng ồn", "en": "Smoke, dust or noise pollution"},
        {"vi": "Khói, bụi, mùi hoặc tiếng ồn vượt mức.", "en": "Excessive smoke, dust, smell or noise."},
    ),
    (
        "urban_order.sidewalk",
        "urban_order",
        "HN-DTHT",
        "normal",
        {"vi": "Lấn chiếm vỉa hè, lòng đường", "en": "Pavement or roadway encroachment"},
        {"vi": "Kinh doanh, trông giữ xe trái phép trên vỉa hè.", "en": "Illegal trading or parking on the pavement."},
    ),
    (
        "lighting.streetlight",
        "lighting",
        "HN-DTHT",
        "normal",
        {"vi": "Đèn chiếu sáng công cộng hỏng", "en": "Broken street light"},
        {"vi": "Đèn đường không sáng hoặc chập chờn.", "en": "Street light out or flickering."},
    ),
    (
        "construction.violation",
        "construction",
        "HN-XD",
        "complex",
        {"vi": "Xây dựng trái phép", "en": "Unauthorised construction"},
        {"vi": "Công trình không phép, sai phép.", "en": "Building without or against a permit."},
    ),
    (
        "drainage.flooding",
        "construction",
        "HN-XD",
        "urgent",
        {"vi": "Ngập úng, tắc cống thoát nước", "en": "Flooding, blocked drains"},
        {"vi": "Đường ngập, nắp cống hỏng hoặc tắc.", "en": "Flooded street, broken or blocked drain."},
    ),
    (
        "trees.fallen",
        "environment",
        "HN-XD",
        "urgent",
        {"vi": "Cây xanh đổ, gãy", "en": "Fallen or broken tree"},
        {"vi": "Cây đổ, cành gãy nguy hiểm.", "en": "Fallen tree or dangerous broken branch."},
    ),
]

# (agency, category, area): urban order in Hoan Kiem goes to the district, and in Trang Tien
# ward to the ward's committee.
JURISDICTIONS = [
    ("HN-HK-UBND", "urban_order.sidewalk", "HN-HK"),
    ("HN-TT-CAP", "urban_order.sidewalk", "HN-HK-TT"),
]

# Demo reports (category, (lat, lon), address, description, where the story stops).
DEMO_REPORTS = [
    (
        "traffic.road_damage",
        (21.0245, 105.8570),
        "Phố Hàng Bài",
        "Ổ gà lớn trước số 20 Hàng Bài, xe máy phải tránh sang làn ô tô.",
        "resolved",
    ),
    (
        "lighting.streetlight",
        (21.0362, 105.8347),
        "Đường Hùng Vương",
        "Ba cột đèn liền nhau không sáng từ tối hôm qua, đoạn gần Lăng Bác.",
        "in_progress",
    ),
    (
        "environment.waste",
        (21.0150, 105.8240),
        "Ngõ 41 Thái Hà",
        "Rác thải sinh hoạt tồn đọng ở đầu ngõ đã ba ngày, bốc mùi.",
        "assigned",
    ),
    (
        "urban_order.sidewalk",
        (21.0281, 105.8522),
        "Phố Đinh Tiên Hoàng",
        "Quán nước lấn chiếm hết vỉa hè, người đi bộ phải xuống lòng đường.",
        "submitted",
    ),
    (
        "drainage.flooding",
        (21.0068, 105.8435),
        "Phố Bạch Mai",
        "Nắp cống bị vỡ giữa đường, rất nguy hiểm khi trời mưa ngập.",
        "submitted",
    ),
    (
        "construction.violation",
        (21.0700, 105.8200),
        "Đường Lạc Long Quân",
        "Công trình xây thêm tầng không có biển báo giấy phép.",
        "rejected",
    ),
]
