"""A national corpus of synthetic agencies for bench/scale.py: deterministic, marked as generated samples.

`national_corpus(total, seed)` gives `total` agency files (id → YAML text) shaped like the country after the 2025
mergers, scaled down proportionally: ministries and central agencies with their units, up to 34 provinces and cities,
each with its departments (sở), communes (xã) and public service units, parents before children. Catalog sizes
follow a Pareto law per kind of agency (a commune ~12 rows, a department ~60, a province ~150, a ministry ~250,
median) capped at 2,000 rows, and the first ministry always carries the cap, so every size of corpus holds the
long tail's worst case. Rows, names and contacts come from bench/corpus.py; the same (total, seed) always gives
the same bytes (only `random.Random(seed).random()` and integer arithmetic decide).

    .venv/bin/python -m bench.scalecorpus 5000 --out /tmp/agencies    # writes, checks and prints the stats

With `withheld` (`--withheld`), every fifth agency with a catalog also keeps one to three rows marked
`access: internal` in its file, as real catalogs do: each one makes the build scan its output for them
(generator/leakscan.py). Off by default: the commit bench/scale.py compares with predates `access`.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import synthetic_agency_yaml

MAX_ENTRIES = 2_000
SEED = 2026
# (median rows, Pareto shape): the smaller the shape, the longer the tail.
CATALOG_SIZES = {
    "ministry": (250, 1.1),
    "central_agency": (120, 1.2),
    "provincial_peoples_committee": (150, 1.3),
    "department": (60, 1.4),
    "public_service_unit": (20, 1.5),
    "commune_peoples_committee": (12, 1.6),
}
MINISTRIES = [
    "Bộ Tư pháp",
    "Bộ Nội vụ",
    "Bộ Tài chính",
    "Bộ Công Thương",
    "Bộ Nông nghiệp và Môi trường",
    "Bộ Xây dựng",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Khoa học và Công nghệ",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Y tế",
    "Bộ Dân tộc và Tôn giáo",
    "Bộ Ngoại giao",
    "Bộ Quốc phòng",
    "Bộ Công an",
    "Ngân hàng Nhà nước Việt Nam",
    "Thanh tra Chính phủ",
    "Văn phòng Chính phủ",
]
CENTRAL_AGENCIES = [
    "Đài Truyền hình Việt Nam",
    "Đài Tiếng nói Việt Nam",
    "Thông tấn xã Việt Nam",
    "Viện Hàn lâm Khoa học và Công nghệ Việt Nam",
    "Viện Hàn lâm Khoa học xã hội Việt Nam",
    "Kiểm toán Nhà nước",
    "Tòa án nhân dân tối cao",
    "Viện kiểm sát nhân dân tối cao",
]
CENTRAL_UNITS = ["Trung tâm Thông tin", "Viện Chiến lược và Chính sách", "Báo điện tử", "Trường Cán bộ", "Tạp chí"]
# The 34 provinces and cities from 1 July 2025 (Resolution 202/2025/QH15); the six cities first.
PROVINCES = [
    ("thành phố", "Hà Nội"),
    ("thành phố", "Hồ Chí Minh"),
    ("thành phố", "Hải Phòng"),
    ("thành phố", "Đà Nẵng"),
    ("thành phố", "Cần Thơ"),
    ("thành phố", "Huế"),
    ("tỉnh", "Lai Châu"),
    ("tỉnh", "Điện Biên"),
    ("tỉnh", "Sơn La"),
    ("tỉnh", "Lạng Sơn"),
    ("tỉnh", "Quảng Ninh"),
    ("tỉnh", "Thanh Hóa"),
    ("tỉnh", "Nghệ An"),
    ("tỉnh", "Hà Tĩnh"),
    ("tỉnh", "Cao Bằng"),
    ("tỉnh", "Tuyên Quang"),
    ("tỉnh", "Lào Cai"),
    ("tỉnh", "Thái Nguyên"),
    ("tỉnh", "Phú Thọ"),
    ("tỉnh", "Bắc Ninh"),
    ("tỉnh", "Hưng Yên"),
    ("tỉnh", "Ninh Bình"),
    ("tỉnh", "Quảng Trị"),
    ("tỉnh", "Quảng Ngãi"),
    ("tỉnh", "Gia Lai"),
    ("tỉnh", "Khánh Hòa"),
    ("tỉnh", "Lâm Đồng"),
    ("tỉnh", "Đắk Lắk"),
    ("tỉnh", "Đồng Nai"),
    ("tỉnh", "Tây Ninh"),
    ("tỉnh", "Vĩnh Long"),
    ("tỉnh", "Đồng Tháp"),
    ("tỉnh", "Cà Mau"),
    ("tỉnh", "An Giang"),
]
DEPARTMENTS = [
    "Sở Tư pháp",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Ngoại vụ",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra",
    "Văn phòng Ủy ban nhân dân",
    "Ban Quản lý các khu công nghiệp",
    "Sở Du lịch",
    "Sở Quy hoạch - Kiến trúc",
]
UNITS = [  # a provincial public service unit and the department it answers to (index into DEPARTMENTS)
    ("Bệnh viện Đa khoa", 7),
    ("Trung tâm Kiểm soát bệnh tật", 7),
    ("Trường Trung học phổ thông", 6),
    ("Trung tâm Phục vụ hành chính công", 13),
    ("Trung tâm Trợ giúp pháp lý nhà nước", 0),
    ("Trung tâm Dịch vụ đấu giá tài sản", 0),
    ("Ban Quản lý dự án đầu tư xây dựng", 3),
    ("Trung tâm Khuyến nông", 5),
    ("Thư viện", 8),
    ("Trung tâm Chuyển đổi số", 9),
]
# Syllables of commune names, no two with the same slug (Đông/Đồng would give one id); pairs are unique ids.
SYLLABLES = [
    "An",
    "Bình",
    "Phú",
    "Tân",
    "Long",
    "Hòa",
    "Phong",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Hưng",
    "Lộc",
    "Thuận",
    "Đức",
    "Phước",
    "Mỹ",
    "Vĩnh",
    "Quang",
    "Xuân",
    "Thịnh",
    "Hiệp",
    "Nghĩa",
    "Trung",
    "Sơn",
    "Thủy",
    "Kim",
    "Hải",
    "Thành",
    "Định",
    "Lợi",
    "Khánh",
    "Cường",
    "Điền",
    "Yên",
    "Lạc",
    "Châu",
    "Tiến",
    "Hội",
    "Thái",
]


@dataclass(frozen=True)
class AgencySpec:
    id: str
    name: str
    kind: str
    parent: str | None
    entries: int
    index: int  # position in the corpus; seeds the rows


def slug(text: str) -> str:
    """ASCII id part from Vietnamese: diacritics dropped, đ → d, words joined by '-'."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def catalog_size(rng: random.Random, kind: str) -> int:
    median, shape = CATALOG_SIZES[kind]
    scale = median / 2 ** (1 / shape)  # Pareto: median = scale · 2^(1/shape)
    return min(MAX_ENTRIES, int(scale / (1 - rng.random()) ** (1 / shape)))


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def national_specs(total: int, seed: int = SEED) -> list[AgencySpec]:
    """`total` agencies, parents before children; proportions of a national deployment (~5,000 agencies)."""
    if total < 5:
        raise ValueError("a national corpus needs at least 5 agencies (a ministry, a province and its children)")
    rng = random.Random(seed)
    central = min(len(MINISTRIES) + len(CENTRAL_AGENCIES), max(1, round(total * 25 / 5000)))
    provinces = min(len(PROVINCES), math.ceil(total / 150))
    central_units = max(1, round(total * 0.03))
    local = total - central - provinces - central_units
    specs: list[AgencySpec] = []

    def add(agency_id: str, name: str, kind: str, parent: str | None) -> str:
        entries = MAX_ENTRIES if not specs else catalog_size(rng, kind)
        specs.append(AgencySpec(agency_id, name, kind, parent, entries, len(specs)))
        return agency_id

    tops = []
    for i in range(central):
        if i < len(MINISTRIES):
            tops.append(add(f"bo-{slug(MINISTRIES[i]).removeprefix('bo-')}", MINISTRIES[i], "ministry", None))
        else:
            name = CENTRAL_AGENCIES[i - len(MINISTRIES)]
            tops.append(add(slug(name), name, "central_agency", None))
    for i in range(central_units):
        parent = tops[i % len(tops)]
        unit = CENTRAL_UNITS[(i // len(tops)) % len(CENTRAL_UNITS)]
        number = i // (len(tops) * len(CENTRAL_UNITS)) + 1
        name = f"{unit} số {number} trực thuộc {specs[i % len(tops)].name}"
        add(f"{parent}-dv-{i + 1:03d}", name, "public_service_unit", parent)
    for p, share in enumerate(_split(local, provinces)):
        level, place = PROVINCES[p]
        where = f"{level} {place}"
        code = slug(place)
        ubnd = add(f"ubnd-{code}", f"Ủy ban nhân dân {where}", "provincial_peoples_committee", None)
        departments = min(len(DEPARTMENTS), max(1, round(share * 0.12)))
        units = min(round(share * 0.2), share - departments)
        communes = share - departments - units
        dept_ids = [
            add(f"{slug(DEPARTMENTS[d])}-{code}", f"{DEPARTMENTS[d]} {where}", "department", ubnd)
            for d in range(departments)
        ]
        pairs = [(a, b) for a in SYLLABLES for b in SYLLABLES if a != b]
        names = [f"{a} {b}" for a, b in (pairs[j] for j in _sample(rng, len(pairs), communes + units))]
        for c in range(communes):
            add(
                f"xa-{slug(names[c])}-{code}",
                f"Ủy ban nhân dân xã {names[c]}, {where}",
                "commune_peoples_committee",
                ubnd,
            )
        for u in range(units):
            unit, answers_to = UNITS[u % len(UNITS)]
            place_name = names[communes + u]
            parent = dept_ids[answers_to] if answers_to < len(dept_ids) else ubnd
            add(
                f"{slug(unit)}-{slug(place_name)}-{code}"[:64].rstrip("-"),
                f"{unit} {place_name}, {where}",
                "public_service_unit",
                parent,
            )
    if len({s.id for s in specs}) != len(specs):
        raise AssertionError("two generated agencies share an id")
    return specs


def _sample(rng: random.Random, population: int, k: int) -> list[int]:
    """k distinct indices below `population`: a partial Fisher–Yates shuffle driven by rng.random() alone."""
    pool = list(range(population))
    for i in range(k):
        j = i + int(rng.random() * (population - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def _details(spec: AgencySpec) -> list[str]:
    """Optional agency fields, on a deterministic share of agencies: what real files carry beside the catalog."""
    n = spec.index
    lines = [f'phone: "0{200 + n % 90} {n % 10000:04d} {n % 1000:03d}"']
    if spec.kind in ("ministry", "central_agency", "provincial_peoples_committee"):
        lines.append(f"website: https://{spec.id}.example.gov.vn")
    if n % 10 < 7:
        lines += [
            "regulation:",
            f'  title: "Quy chế cung cấp thông tin cho công dân của {spec.name}"',
            f'  number: "{10 + n % 90}/QĐ-{slug(spec.name)[:6].upper()}"',
            f"  issued: 20{18 + n % 7}-0{1 + n % 9}-1{n % 10}",
        ]
    if n % 4 == 0:
        lines += ["conditional_catalog:"] + [
            line
            for k in range(1 + n % 3)
            for line in (
                f"  - id: dk-{k + 1:03d}",
                f'    title: "Hồ sơ dự thầu của doanh nghiệp số {k + 1} (dữ liệu mẫu)"',
                "    condition: business_secret",
                '    consent_from: "Doanh nghiệp sở hữu thông tin"',
            )
        ]
    if n % 3 == 0:
        lines += ["statistics:"] + [
            line
            for year in (2024, 2025)
            for line in (
                f"  - year: {year}",
                f"    received: {10 + (n + year) % 40}",
                f"    provided_full: {5 + (n + year) % 5}",
                f"    refused: {(n + year) % 3}",
            )
        ]
    return lines


def withheld_rows(spec: AgencySpec) -> list[str]:
    """Rows kept in the file but never published, for a deterministic fifth of the agencies."""
    if spec.index % 5 != 2 or not spec.entries:
        return []
    return [
        line
        for k in range(1 + spec.index % 3)
        for line in (
            f"  - id: noi-bo-{k + 1:03d}",
            f'    title: "Hồ sơ nội bộ số {k + 1} về công tác phối hợp của {spec.name}"',
            f"    created: 2025-0{1 + k}-15",
            '    clause: "other"',
            "    forms: [portal]",
            f"    disclosed: 2025-0{1 + k}-16",
            "    access: internal",
        )
    ]


def agency_yaml(spec: AgencySpec, withheld: bool = False) -> str:
    text = synthetic_agency_yaml(
        spec.id,
        spec.entries,
        name=f"{spec.name} (dữ liệu sinh tự động)",
        parent=spec.parent,
        kind=spec.kind,
        seed=spec.index * 7,
        details=_details(spec),
        issuer=spec.name,
        summary_every=3,
    ).replace("# Dữ liệu mẫu sinh tự động (bench/corpus.py)", "# Dữ liệu mẫu sinh tự động (bench/scalecorpus.py)", 1)
    return text + "".join(f"{line}\n" for line in withheld_rows(spec)) if withheld else text  # the catalog is last


def national_corpus(total: int, seed: int = SEED, withheld: bool = False) -> dict[str, str]:
    """Agency id → YAML text, in corpus order (parents first)."""
    return {spec.id: agency_yaml(spec, withheld) for spec in national_specs(total, seed)}


def write_corpus(folder: Path, total: int, seed: int = SEED, withheld: bool = False) -> list[AgencySpec]:
    folder.mkdir(parents=True, exist_ok=True)
    specs = national_specs(total, seed)
    for spec in specs:
        (folder / f"{spec.id}.yaml").write_text(agency_yaml(spec, withheld), encoding="utf-8")
    return specs


def describe(specs: list[AgencySpec]) -> str:
    sizes = sorted(s.entries for s in specs)
    kinds: dict[str, int] = {}
    for s in specs:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    p90, p99 = sizes[int(len(sizes) * 0.9)], sizes[min(len(sizes) - 1, int(len(sizes) * 0.99))]
    return (
        f"{len(specs):,} agencies ({', '.join(f'{k} {v}' for k, v in kinds.items())}); "
        f"{sum(sizes):,} catalog entries: median {statistics.median(sizes):g}, mean {statistics.mean(sizes):.0f}, "
        f"p90 {p90}, p99 {p99}, max {sizes[-1]}; {sum(s >= 500 for s in sizes)} agencies with ≥ 500 entries"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("total", type=int)
    parser.add_argument("--out", type=Path, required=True, help="folder to write <id>.yaml files into")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--withheld", action="store_true", help="rows marked access: internal in a fifth of the files")
    args = parser.parse_args(argv)
    from generator import regime
    from generator.validate import check_paths

    started = time.perf_counter()
    specs = write_corpus(args.out, args.total, args.seed, args.withheld)
    written = time.perf_counter()
    result = check_paths([args.out], regime.regime_ids())
    checked = time.perf_counter()
    errors = [d for d in result.diagnostics if d.severity == "error"]
    print(describe(specs))
    print(
        f"written in {written - started:.1f} s, validated in {checked - written:.1f} s: "
        f"{len(result.agencies)} valid, {len(errors)} errors, {len(result.diagnostics) - len(errors)} other messages"
    )
    for diagnostic in errors[:5]:
        print(f"  {diagnostic}")
    return 0 if result.ok and not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
